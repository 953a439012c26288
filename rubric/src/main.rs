//! `mdbook-rubric`: the binary mdBook runs. `mdbook-rubric supports <renderer>` answers yes
//! for every renderer; with no arguments it reads `[context, book]` as JSON on stdin and
//! writes the expanded book as JSON on stdout.
//!
//! `mdbook-rubric grader <args>` runs the grader's own command line (`grader::run`, the one
//! line the `grader` binary's `main` is), so the book's tests can compare a page with
//! `grader lint --format json` without building a second binary.

use std::io;
use std::process::ExitCode;

use mdbook_preprocessor::Preprocessor;
use mdbook_rubric::preprocessor::{version_mismatch, Rubric};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("supports") => ExitCode::SUCCESS,
        Some("grader") => {
            use clap::Parser;
            grader::run(grader::cli::Cli::parse_from(std::env::args().skip(1)))
        }
        Some(other) => {
            eprintln!("mdbook-rubric: unknown argument `{other}` (mdBook runs this as `mdbook-rubric` or `mdbook-rubric supports <renderer>`)");
            ExitCode::from(2)
        }
        None => match run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mdbook-rubric: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run() -> anyhow::Result<()> {
    let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin())?;
    if let Some(warning) = version_mismatch(&ctx.mdbook_version) {
        eprintln!("mdbook-rubric: warning: {warning}");
    }
    let book = Rubric.run(&ctx, book)?;
    serde_json::to_writer(io::stdout().lock(), &book)?;
    Ok(())
}
