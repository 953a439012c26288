//! `lint` and every renderer never panic, and every finding points at an instruction of the
//! file, for the last stage as final and for the first stage as `--target`.
#![no_main]

use dockerfile::lint::{lint, render, LintOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(df) = dockerfile::parse(src) else {
        return;
    };
    let lines = src.lines().count().max(1) + 1;
    for target in [None, Some("0".to_string())] {
        let opts = LintOptions { target, ..Default::default() };
        let findings = lint(&df, &opts);
        for f in &findings {
            assert!(f.line >= 1 && f.line <= lines, "{f:?}");
            assert_eq!(f.line, f.lines.start);
            assert!(f.lines.start <= f.lines.end, "{f:?}");
            assert!(df.instruction_at(f.line).is_some(), "{f:?} points at no instruction");
        }
        let _ = render::text(&findings, "Dockerfile", true);
        let _ = render::json(&df, &findings, "Dockerfile");
        let _ = render::github(&findings, "Dockerfile");
        let _ = render::sarif(&findings, "Dockerfile");
    }
});
