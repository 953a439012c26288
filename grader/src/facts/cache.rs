//! The cache probe: two rebuilds from a temporary copy of the exercise, one after a harmless
//! edit to a source file (the dependency step must come from the cache) and one after an edit to
//! the dependency manifest (it must not). The learner's files are never touched.

use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;

use super::workspace::{append_harmless_edit, temp_copy};
use crate::context::BuildContext;
use crate::engine::build::{BuildOutcome, BuildRequest};
use crate::engine::Engine;
use crate::spec::{CacheCheck, Exercise};

/// The two probe builds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CacheProbe {
    /// The rebuild after editing the source file.
    pub after_source_edit: Option<BuildOutcome>,
    /// The rebuild after editing the manifest.
    pub after_manifest_edit: Option<BuildOutcome>,
    /// Why a probe could not run (e.g. the file to edit does not exist).
    pub error: Option<String>,
}

pub async fn probe(
    engine: &Engine,
    exercise: &Exercise,
    dir: &Path,
    check: &CacheCheck,
    main: &BuildRequest<'_>,
    dependency_step: &str,
    progress: &ProgressBar,
) -> Result<CacheProbe> {
    let copy = temp_copy(dir)?;
    let mut probe = CacheProbe { after_source_edit: None, after_manifest_edit: None, error: None };
    for (file, purpose) in [(&check.source, "cache-source"), (&check.manifest, "cache-manifest")] {
        let path = copy.path().join(file);
        if !path.is_file() {
            probe.error = Some(format!("the probe edits `{file}`, but the exercise has no such file"));
            return Ok(probe);
        }
        let original = std::fs::read(&path)?;
        append_harmless_edit(&path, &engine.run_id)?;
        progress.set_message(format!("rebuilding after an edit to {file}"));
        let context = BuildContext::pack(copy.path(), main.dockerfile)?;
        let tag = engine.tag(&exercise.id, purpose);
        let req = BuildRequest { context: &context, tag: &tag, stop_at: Some(dependency_step), ..*main };
        let outcome = engine.build(&req, progress).await?;
        engine.remove_image(&tag).await;
        std::fs::write(&path, original)?;
        if purpose == "cache-source" {
            probe.after_source_edit = Some(outcome);
        } else {
            probe.after_manifest_edit = Some(outcome);
        }
    }
    Ok(probe)
}
