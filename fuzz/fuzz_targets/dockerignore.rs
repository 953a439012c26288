//! The `.dockerignore` matcher never panics, and its answers are consistent: the Dockerfile and
//! ignore file pushed back in (as the context packer does) are never excluded.
#![no_main]

use grader::dockerignore::Dockerignore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // First line: a path to ask about; the rest: the ignore file.
    let (path, rules) = text.split_once('\n').unwrap_or((text, ""));
    let Ok(mut ignore) = Dockerignore::parse(rules) else { return };
    let _ = ignore.excludes(path);
    let _ = ignore.must_descend(path);
    ignore.push("!Dockerfile");
    assert!(!ignore.excludes("Dockerfile"));
});
