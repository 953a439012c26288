//! The spec loader never panics, and a spec it accepts holds what validation promises: paths
//! inside the exercise, limits in range, a total of points that fits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use workbook::spec::{CheckKind, Spec};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(spec) = Spec::parse(text) else { return };
    let _ = spec.total_points();
    assert!(!spec.build.dockerfile.starts_with('/') && (1..=7200).contains(&spec.build.timeout_s));
    for c in &spec.checks {
        if let CheckKind::Smoke(s) = &c.kind {
            assert!(s.memory_mb >= 6 && s.pids >= 1 && s.timeout_s >= 1);
        }
    }
});
