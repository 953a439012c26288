//! The `.dockerignore` matcher never panics, and the Dockerfile pushed back in (as the context
//! packer does) is never excluded (`grader::fuzz::dockerignore`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| grader::fuzz::dockerignore(data));
