//! The image-export reader never panics on any tar (legacy or OCI layout, gzip layers or not).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(scan) = grader::image::scan_export(data, Some(b"canary".as_slice())) {
        let _ = scan.compose();
    }
});
