//! `grader check <id>`: build the learner's Dockerfile and grade it.

use anyhow::Result;

use super::grade::{grade, with_engine};
use crate::cli::BuildArgs;
use crate::exit::Outcome;
use crate::output::spinner;
use crate::plan::BuildOptions;
use crate::report::{render, Format};
use workbook::Exercise;

pub async fn run(exercise: &Exercise, build: BuildArgs, format: Format) -> Result<Outcome> {
    let opts = BuildOptions { pull: build.pull, builder: build.builder.into(), timeout: build.timeout };
    let progress = spinner();
    let report = with_engine(|engine| {
        let progress = &progress;
        async move { grade(&engine, exercise, &exercise.dir, opts, progress).await }
    })
    .await;
    progress.finish_and_clear();
    let report = report?;
    crate::output::emit(&render(&report, format, crate::output::use_color()));
    if format == Format::Github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
            f.write_all(crate::report::github::summary(&report).as_bytes())?;
        }
    }
    Ok(if report.passed() { Outcome::Pass } else { Outcome::Fail })
}
