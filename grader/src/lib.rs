//! The grader: builds a learner's Dockerfile through the Docker Engine API and grades the result.
//!
//! The pipeline, one module each: the spec (the `workbook` crate, exercise.toml) -> [`plan`] (what
//! to build, no I/O) -> [`gather`] (the only code that drives the [`engine`] for facts: builds
//! of the [`context`], the image export read by [`image`], probe runs) -> [`facts`] (plain data)
//! -> [`checks`] (pure verdicts) -> [`report`] (pure renderers). [`commands`] holds the CLI's
//! handlers, [`cli`] its declarations; `main.rs` only maps the outcome to an exit code. The
//! layers are held by `layering_tests.rs`: nothing imports upwards.

pub mod canary;
pub mod checks;
pub mod class;
pub mod cli;
pub mod commands;
pub mod context;
pub mod diff;
pub mod dockerignore;
pub mod engine;
pub mod error;
pub mod exit;
pub mod facts;
pub mod fuzz;
pub mod gather;
pub mod glob;
pub mod image;
pub mod image_ref;
pub mod locate;
pub mod output;
pub mod plan;
pub mod progress;
pub mod provision;
pub mod random;
pub mod report;
pub mod units;
pub mod workspace;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod layering_tests;
#[cfg(test)]
mod pipeline_tests;

use std::process::ExitCode;

use exit::COULD_NOT_GRADE;

/// Runs the CLI and maps the outcome to the exit code: 0 pass, 1 a check failed, 2 could not grade.
pub fn run(cli: cli::Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(COULD_NOT_GRADE);
        }
    };
    let outcome = runtime.block_on(commands::run(cli));
    // A file task stuck on a blocking thread must not keep the process alive once it is done.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match outcome {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            report_error(&e);
            ExitCode::from(COULD_NOT_GRADE)
        }
    }
}

/// Prints an error: advice as it is, anything else with its chain of causes.
fn report_error(e: &anyhow::Error) {
    eprintln!("error: {}", error::describe(e));
}
