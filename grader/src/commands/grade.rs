//! One grading, the pipeline end to end: gather (plan, engine) -> facts -> checks -> report;
//! and the engine session around it, cleaned up on every path, Ctrl-C, SIGTERM and SIGHUP included.

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
    // What day-old dead runs left is removed while this run works (listing every image takes
    // the engine a tenth of a second or more): it never touches this run's objects.
    let sweep = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.sweep_stale().await })
    };
    let result = tokio::select! {
        r = work(engine.clone()) => r,
        _ = stop_signal() => Err(Interrupted.into()),
    };
    let _ = sweep.await;
    engine.cleanup().await;
    result
}

/// Ctrl-C (SIGINT), SIGTERM (what CI runners, `timeout` and `docker stop` send) or SIGHUP (the
/// terminal closed): each ends the run through the same cleanup.
pub(super) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (signal(SignalKind::terminate()), signal(SignalKind::hangup())) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
