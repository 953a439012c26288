//! The one way to run a probe build: a variant of the main build (another folder's files,
//! another `--target`, stopped once a step is decided), tagged for its purpose, measured, and
//! its image removed whatever happened.

use std::future::Future;
use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;

use crate::context::BuildContext;
use crate::engine::Engine;
use crate::facts::build::BuildOutcome;
use crate::plan::BuildRequest;

/// How a probe build differs from the main build.
#[derive(Debug, Clone, Copy, Default)]
pub struct Variant<'v> {
    /// Build this folder's files (a temporary copy, edited) instead of the main context.
    pub from: Option<&'v Path>,
    /// Build this stage instead of the spec's target.
    pub target: Option<&'v str>,
    /// Stop once this step (as the main build named it) is cached or running.
    pub stop_at: Option<&'v str>,
    /// `from` holds edits of this run only (a nonce, a planted test): see
    /// [`BuildRequest::throwaway`].
    pub throwaway: bool,
}

/// Runs the probe builds of one grading.
pub struct Prober<'a> {
    engine: &'a Engine,
    exercise: &'a str,
    main: BuildRequest<'a>,
    progress: &'a ProgressBar,
}

impl<'a> Prober<'a> {
    pub fn new(engine: &'a Engine, exercise: &'a str, main: BuildRequest<'a>, progress: &'a ProgressBar) -> Self {
        Prober { engine, exercise, main, progress }
    }

    /// Builds `variant` tagged for `purpose`, hands the tag and the outcome to `measure`, then
    /// removes the image (also when the build or `measure` failed).
    pub async fn build<T, F, Fut>(&self, purpose: &str, variant: Variant<'_>, measure: F) -> Result<T>
    where
        F: FnOnce(String, BuildOutcome) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let packed = match variant.from {
            Some(dir) => Some(BuildContext::pack_off_runtime(dir, self.main.dockerfile).await?),
            None => None,
        };
        let tag = self.engine.tag(self.exercise, purpose);
        let req = BuildRequest {
            context: packed.as_ref().unwrap_or(self.main.context),
            tag: &tag,
            target: variant.target.or(self.main.target),
            stop_at: variant.stop_at,
            throwaway: variant.throwaway,
            ..self.main
        };
        let result = match self.engine.build(&req, self.progress).await {
            Ok(outcome) => measure(tag.clone(), outcome).await,
            Err(e) => Err(e),
        };
        self.engine.remove_image(&tag).await;
        result
    }

    /// A temporary copy of `dir` for a probe to edit: what the main build's context holds (the
    /// ignore rules applied, so ignored bulk is never copied), the spec, and `also` (the files
    /// the probe edits or plants over).
    pub async fn copy(&self, dir: &Path, also: &[&str]) -> Result<tempfile::TempDir> {
        crate::context::temp_copy_of_context(dir, self.main.dockerfile, also).await
    }

    /// Builds `variant` for `purpose` and returns its outcome, the image removed.
    pub async fn outcome(&self, purpose: &str, variant: Variant<'_>) -> Result<BuildOutcome> {
        self.build(purpose, variant, |_, outcome| async move { Ok(outcome) }).await
    }
}
