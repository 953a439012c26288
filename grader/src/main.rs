//! The `grader` binary: parse arguments, run, exit with the outcome's code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    grader::run(grader::cli::Cli::parse())
}
