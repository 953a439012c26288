//! `grader check <id>`: build the learner's Dockerfile and grade it.

use anyhow::Result;

use crate::cli::BuildArgs;
use crate::error::Outcome;
use crate::facts::GatherOptions;
use crate::grade::{grade, spinner, with_engine};
use crate::report::{render, Format};
use crate::workbook::Workbook;

pub async fn run(workbook: &Workbook, exercise: Option<&str>, build: BuildArgs, format: Format) -> Result<Outcome> {
    let exercise = workbook.exercise(exercise)?;
    let opts = GatherOptions { pull: build.pull, builder: build.builder.into() };
    let progress = spinner();
    let report = with_engine(|engine| {
        let (exercise, progress) = (&exercise, &progress);
        async move { grade(&engine, exercise, &exercise.dir, opts, progress).await }
    })
    .await;
    progress.finish_and_clear();
    let report = report?;
    print!("{}", render(&report, format, super::use_color()));
    Ok(if report.passed() { Outcome::Pass } else { Outcome::Fail })
}
