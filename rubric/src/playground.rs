//! `{{#playground}}` and `{{#playground ex1}}`: the course's lint running in the page. The
//! directive becomes a text box (empty, or holding an exercise's starter Dockerfile) that
//! `theme/playground.js` lints on every edit with the `dockerfile` crate compiled to
//! WebAssembly (`lint-wasm/`), offline, with no server.
//!
//! [`build`] makes that WebAssembly: `cargo build --release --target wasm32-unknown-unknown`
//! of `lint-wasm` in its own target folder, then the module base64-encoded into a small
//! script, `playground/lint-wasm.js` under the book's `src/` (a script rather than a `.wasm`
//! file so the book also works opened from disk, where browsers refuse to fetch files). The
//! script is written only when its bytes change, so `mdbook serve` does not rebuild in a loop.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// What the bare `{{#playground}}` box starts with: a single-stage build with several of the
/// mistakes the rules catch. Replace it with your own Dockerfile.
pub const EXAMPLE: &str = "FROM golang:1-trixie
RUN apt-get update
RUN apt-get install -y git
WORKDIR /src
COPY . .
RUN go mod download && go build -o /usr/local/bin/app .
CMD app --port 8080
";

/// Where the module's script goes, relative to the book's `src/`.
pub const SCRIPT: &str = "playground/lint-wasm.js";

/// The text box of a playground, starting with `text` (an exercise's starter, or nothing).
/// One line of HTML: a blank line would end Markdown's HTML block, so newlines are `&#10;`.
pub fn render(exercise: Option<&str>, text: &str) -> String {
    let rows = text.lines().count().clamp(6, 30) + 1;
    let label = match exercise {
        Some(id) => format!("the starter Dockerfile of {id} (edit it as you work)"),
        None => "a Dockerfile (edit this one, or paste your own)".to_string(),
    };
    let data = exercise.map(|id| format!(" data-exercise=\"{}\"", escape(id))).unwrap_or_default();
    format!(
        "<div class=\"lint-playground\"{data}><label class=\"lint-label\">Lint {label}:<textarea class=\"lint-input\" \
         spellcheck=\"false\" autocomplete=\"off\" rows=\"{rows}\">{}</textarea></label><p class=\"lint-status\" \
         aria-live=\"polite\">The lint runs in your browser once the page has loaded (it needs JavaScript).</p>\
         <ol class=\"lint-findings\"></ol></div>\n",
        escape(text)
    )
}

/// HTML text with newlines kept as character references.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Builds `lint-wasm` (the crate at `krate`) for the browser and writes its script to
/// `script`. `target_dir` keeps this build apart from the workspace's own (so it never waits
/// for a lock a running `cargo test` holds).
pub fn build(krate: &Path, target_dir: &Path, script: &Path) -> Result<()> {
    let manifest = krate.join("Cargo.toml");
    if !manifest.is_file() {
        bail!("the lint playground's crate is missing: {} does not exist", manifest.display());
    }
    let cargo = std::env::var_os("CARGO").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("cargo"));
    let compile = || {
        Command::new(&cargo)
            .args([
                "build",
                "--quiet",
                "--release",
                "--locked",
                "--target",
                "wasm32-unknown-unknown",
                "--manifest-path",
            ])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(target_dir)
            .env_remove("RUSTFLAGS")
            .output()
            .with_context(|| format!("running {} to build the lint playground", cargo.display()))
    };
    let mut out = compile()?;
    let target_missing = |err: &[u8]| {
        let err = String::from_utf8_lossy(err);
        err.contains("wasm32-unknown-unknown") && err.contains("target may not be installed")
    };
    // A fresh rustup install lacks the WebAssembly target: add it once (rustup's own download,
    // as `rustup target add` does by hand), so building the book needs no manual step.
    if !out.status.success() && target_missing(&out.stderr) {
        let added = Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]).status();
        if added.is_ok_and(|s| s.success()) {
            out = compile()?;
        }
    }
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let hint = if err.contains("wasm32-unknown-unknown") && err.contains("target may not be installed") {
            "\nThe playground needs Rust's WebAssembly target: `rustup target add wasm32-unknown-unknown`. \
             To build the book without the playground, set MDBOOK_PREPROCESSOR__RUBRIC__PLAYGROUND=false."
        } else {
            ""
        };
        bail!("building the lint playground (lint-wasm) failed:\n{}{hint}", err.trim_end());
    }
    let wasm_path = target_dir.join("wasm32-unknown-unknown/release/lint_wasm.wasm");
    let wasm = std::fs::read(&wasm_path).with_context(|| format!("reading {}", wasm_path.display()))?;
    let js = format!(
        "// Generated by the book's preprocessor from lint-wasm/ (the course's lint as WebAssembly).\n\
         // Not in git: `mdbook build book` writes it. {} bytes of WebAssembly.\n\
         window.LINT_WASM_BASE64 = \"{}\";\n",
        wasm.len(),
        base64(&wasm)
    );
    if std::fs::read(script).ok().as_deref() != Some(js.as_bytes()) {
        std::fs::create_dir_all(script.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(script, js).with_context(|| format!("writing {}", script.display()))?;
    }
    Ok(())
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn the_box_is_one_line_of_html_with_the_text_escaped() {
        let html = render(Some("ex1"), "FROM a\n\nRUN x && y > z\n");
        assert_eq!(html.lines().count(), 1, "{html}");
        assert!(html.contains("data-exercise=\"ex1\""));
        assert!(html.contains(">FROM a&#10;&#10;RUN x &amp;&amp; y &gt; z&#10;</textarea>"), "{html}");
    }
}
