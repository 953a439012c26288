//! The course's lint for the browser: `dockerfile::parse` and `dockerfile::lint` behind a
//! plain C ABI, so the book's playground needs no JavaScript glue generator. The page writes
//! a Dockerfile into memory it got from [`alloc`], calls [`lint`], and reads the JSON answer
//! at [`result_ptr`] / [`result_len`]: exactly what `grader lint --format json` prints for
//! the same text (the same renderer, with `Dockerfile` as the file name), or
//! `{"error": {"line", "message"}}` when the text does not parse.
//!
//! Built by the book's preprocessor (`cargo build --release --target wasm32-unknown-unknown
//! -p lint-wasm`); on the host the same functions serve the unit tests below.

use std::cell::RefCell;

thread_local! {
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The lint as JSON for a Dockerfile's text (the pure core of [`lint`]).
pub fn lint_json(text: &str) -> String {
    match dockerfile::parse(text) {
        Ok(df) => {
            let findings = dockerfile::lint(&df, &dockerfile::LintOptions::default());
            dockerfile::lint::render::json(&df, &findings, "Dockerfile")
        }
        Err(e) => serde_json::json!({ "error": { "line": e.line, "message": e.message } }).to_string() + "\n",
    }
}

/// `len` bytes the page may write a Dockerfile into; give them back with [`dealloc`].
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees memory from [`alloc`].
///
/// # Safety
/// `ptr` and `len` must come from one call to [`alloc`], not freed before.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// Lints the UTF-8 text at `ptr..ptr+len` (invalid UTF-8 is replaced) and keeps the JSON
/// answer for [`result_ptr`] and [`result_len`]. Returns the answer's length.
///
/// # Safety
/// `ptr..ptr+len` must be readable memory (from [`alloc`], written by the caller).
#[no_mangle]
pub unsafe extern "C" fn lint(ptr: *const u8, len: usize) -> usize {
    let bytes = std::slice::from_raw_parts(ptr, len);
    let json = lint_json(&String::from_utf8_lossy(bytes));
    RESULT.with(|r| {
        *r.borrow_mut() = json.into_bytes();
        r.borrow().len()
    })
}

/// Where the last answer starts.
#[no_mangle]
pub extern "C" fn result_ptr() -> *const u8 {
    RESULT.with(|r| r.borrow().as_ptr())
}

/// The last answer's length in bytes.
#[no_mangle]
pub extern "C" fn result_len() -> usize {
    RESULT.with(|r| r.borrow().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_the_grader_lint_json() {
        let text = "FROM golang:1-trixie\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";
        let v: serde_json::Value = serde_json::from_str(&lint_json(text)).unwrap();
        assert_eq!(v["file"], "Dockerfile");
        let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert!(rules.contains(&"GR012") && rules.contains(&"GR009"), "{rules:?}");
    }

    #[test]
    fn a_parse_error_names_its_line() {
        let v: serde_json::Value = serde_json::from_str(&lint_json("FROM\n")).unwrap();
        assert_eq!(v["error"]["line"], 1, "{v}");
    }

    #[test]
    fn the_c_abi_round_trips() {
        let text = b"FROM scratch\nCOPY app /app\n";
        let p = alloc(text.len());
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), p, text.len());
            let n = lint(p, text.len());
            assert_eq!(n, result_len());
            let out = std::str::from_utf8(std::slice::from_raw_parts(result_ptr(), n)).unwrap();
            assert!(out.contains("\"GR009\""), "{out}");
            dealloc(p, text.len());
        }
    }
}
