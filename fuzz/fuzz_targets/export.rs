//! The image-export reader never panics on any tar (`grader::fuzz::export`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| grader::fuzz::export(data));
