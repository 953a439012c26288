//! The pipeline of one grading: spec -> facts (engine) -> checks -> report.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::checks;
use crate::engine::Engine;
use crate::error::advice;
use crate::facts::{self, GatherOptions};
use crate::report::Report;
use workbook::Exercise;

/// Grades the exercise whose files are in `dir` (its own folder, or a temporary overlay).
pub async fn grade(
    engine: &Engine,
    exercise: &Exercise,
    dir: &Path,
    opts: GatherOptions,
    progress: &ProgressBar,
) -> Result<Report> {
    let facts = facts::gather(engine, exercise, dir, opts, progress).await?;
    let verdicts = checks::evaluate(&exercise.spec, &facts);
    Ok(Report::new(exercise, &facts, verdicts))
}

/// Connects to the engine, runs `work`, and removes everything the run created afterwards,
/// whether `work` succeeded, failed or was interrupted with Ctrl-C.
pub async fn with_engine<T, F, Fut>(work: F) -> Result<T>
where
    F: FnOnce(Engine) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let engine = Engine::connect().await?;
    let result = tokio::select! {
        r = work(engine.clone()) => r,
        _ = tokio::signal::ctrl_c() => Err(advice("interrupted; the grader removed what it had created")),
    };
    engine.cleanup().await;
    result
}

/// A status line on stderr: above the spinner on a terminal, plain otherwise (CI logs).
pub fn say(progress: &ProgressBar, line: String) {
    if progress.is_hidden() {
        eprintln!("{line}");
    } else {
        progress.println(line);
    }
}

/// A spinner on stderr that shows the current step and the elapsed time (hidden when stderr is
/// not a terminal, e.g. in CI).
pub fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix:.bold} [{elapsed}] {wide_msg}").expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
