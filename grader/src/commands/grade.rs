//! One grading, the pipeline end to end: gather (plan, engine) -> facts -> checks -> report;
//! and the engine session around it, cleaned up on every path, Ctrl-C included.

use std::future::Future;
use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;

use crate::checks;
use crate::engine::Engine;
use crate::error::Interrupted;
use crate::gather;
use crate::plan::BuildOptions;
use crate::report::Report;
use workbook::Exercise;

/// Grades the exercise whose files are in `dir` (its own folder, or a temporary overlay).
pub async fn grade(
    engine: &Engine,
    exercise: &Exercise,
    dir: &Path,
    opts: BuildOptions,
    progress: &ProgressBar,
) -> Result<Report> {
    let facts = gather::gather(engine, exercise, dir, opts, progress).await?;
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
        _ = tokio::signal::ctrl_c() => Err(Interrupted.into()),
    };
    engine.cleanup().await;
    result
}
