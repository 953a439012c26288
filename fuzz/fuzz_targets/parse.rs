//! `parse` never panics, and an accepted file's line ranges all lie inside it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(df) = dockerfile::parse(src) else {
        return;
    };
    let lines = {
        let n = src.split('\n').count();
        if src.ends_with('\n') || src.is_empty() {
            n - 1
        } else {
            n
        }
    };
    let mut previous_end = 0;
    for i in df.instructions() {
        assert!(i.lines.start >= 1, "{i:?}");
        assert!(i.lines.start <= i.lines.end, "{i:?}");
        assert!(i.lines.end <= lines, "{i:?} in {lines} lines");
        assert!(i.lines.start > previous_end, "overlap at {i:?}");
        previous_end = i.lines.end;
        let _ = i.text();
        let _ = i.arg_list();
    }
    for d in &df.directives {
        assert!(d.line >= 1 && d.line <= lines);
    }
    assert!(!df.stages.is_empty());
    for (n, s) in df.stages.iter().enumerate() {
        assert_eq!(s.index, n);
        assert!(s.base_stage.is_none_or(|b| b < n));
        let _ = df.stage(&n.to_string());
    }
});
