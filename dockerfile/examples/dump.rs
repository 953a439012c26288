//! Prints the parse of each Dockerfile named on the command line as one JSON line:
//! `{"file": ..., "ok": <Dockerfile>}` or `{"file": ..., "error": {"line": N, "message": ...}}`.
//! Used by `tests/oracle/compare.py` to compare with BuildKit's own parser.

fn main() {
    for path in std::env::args().skip(1) {
        let value = match std::fs::read(&path) {
            Err(e) => serde_json::json!({ "file": path, "io_error": e.to_string() }),
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(_) => serde_json::json!({ "file": path, "io_error": "not UTF-8" }),
                Ok(src) => match dockerfile::parse(&src) {
                    Ok(df) => serde_json::json!({ "file": path, "ok": df }),
                    Err(e) => serde_json::json!({ "file": path, "error": e }),
                },
            },
        };
        println!("{value}");
    }
}
