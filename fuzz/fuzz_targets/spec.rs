//! The spec loader never panics, and a spec it accepts holds what validation promises
//! (`grader::fuzz::spec`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| grader::fuzz::spec(data));
