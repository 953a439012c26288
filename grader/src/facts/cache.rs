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
use crate::locate::{copies_file, squash};
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
    /// The engine missed its own cache before anything the source edit touched, so the
    /// unedited Dockerfile was built once more and the source probe run again.
    pub rebuilt_unedited: bool,
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
    let mut probe =
        CacheProbe { after_source_edit: None, after_manifest_edit: None, error: None, rebuilt_unedited: false };
    for file in [&check.source, &check.manifest] {
        if !copy.path().join(file).is_file() {
            probe.error = Some(format!("the probe edits `{file}`, but the exercise has no such file"));
            return Ok(probe);
        }
    }
    let mut after_source = rebuild_after_edit(
        engine,
        exercise,
        copy.path(),
        &check.source,
        "cache-source",
        main,
        dependency_step,
        progress,
    )
    .await?;
    if engine_missed_its_cache(&after_source, dependency_step, &check.source) {
        // Seen on dockerd 20.10 with other builds sharing steps on the same engine: a step before
        // anything the edit touched ran again. Build the unedited Dockerfile once more (its steps
        // are then recorded under the keys a lone build computes) and probe again, once.
        progress.set_message("the engine missed its own cache: building the unedited Dockerfile again");
        let tag = engine.tag(&exercise.id, "cache-again");
        let outcome = engine.build(&BuildRequest { tag: &tag, stop_at: None, ..*main }, progress).await;
        engine.remove_image(&tag).await;
        outcome?;
        probe.rebuilt_unedited = true;
        after_source = rebuild_after_edit(
            engine,
            exercise,
            copy.path(),
            &check.source,
            "cache-source",
            main,
            dependency_step,
            progress,
        )
        .await?;
    }
    probe.after_source_edit = Some(after_source);
    probe.after_manifest_edit = Some(
        rebuild_after_edit(
            engine,
            exercise,
            copy.path(),
            &check.manifest,
            "cache-manifest",
            main,
            dependency_step,
            progress,
        )
        .await?,
    );
    Ok(probe)
}

/// Rebuilds the temporary copy after a harmless edit to `file`, stopping once the dependency
/// step is decided, and puts the file back.
#[allow(clippy::too_many_arguments)]
async fn rebuild_after_edit(
    engine: &Engine,
    exercise: &Exercise,
    copy: &Path,
    file: &str,
    purpose: &str,
    main: &BuildRequest<'_>,
    dependency_step: &str,
    progress: &ProgressBar,
) -> Result<BuildOutcome> {
    let path = copy.join(file);
    let original = std::fs::read(&path)?;
    append_harmless_edit(&path, &engine.run_id)?;
    progress.set_message(format!("rebuilding after an edit to {file}"));
    let context = BuildContext::pack(copy, main.dockerfile)?;
    let tag = engine.tag(&exercise.id, purpose);
    let req = BuildRequest { context: &context, tag: &tag, stop_at: Some(dependency_step), ..*main };
    let outcome = engine.build(&req, progress).await;
    engine.remove_image(&tag).await;
    std::fs::write(&path, original)?;
    outcome
}

/// Whether the build after a source edit missed the cache before anything the edit touched:
/// the dependency step ran again, and the first step of its stage that missed the cache is one
/// that cannot have brought the edited file in (a COPY of other files, or no COPY at all).
pub fn engine_missed_its_cache(build: &BuildOutcome, dependency_step: &str, source: &str) -> bool {
    if build.failure.is_some() {
        return false;
    }
    let Some(dep) = build.steps.iter().find(|s| squash(&s.name) == squash(dependency_step)) else { return false };
    if dep.cached {
        return false;
    }
    let Some(miss) = build.first_miss_up_to(dep) else { return false };
    if miss.name == dep.name {
        return false;
    }
    let instruction = miss.parsed().map(|p| p.instruction).unwrap_or_default();
    let is_copy = instruction.starts_with("COPY") || instruction.starts_with("ADD");
    !(is_copy && copies_file(instruction, source))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::engine::build::{Builder, Step};

    fn build(steps: &[(&str, bool)]) -> BuildOutcome {
        BuildOutcome {
            builder: Builder::BuildKit,
            steps: steps
                .iter()
                .map(|(n, cached)| Step { name: n.to_string(), cached: *cached, ..Step::default() })
                .collect(),
            failure: None,
            stopped_early: true,
            duration: Duration::ZERO,
        }
    }

    const DEP: &str = "[build 4/6] RUN go mod download";

    #[test]
    fn a_miss_before_anything_the_edit_touched_is_the_engines() {
        // As seen on dockerd 20.10: go.mod unchanged, yet `COPY go.mod ./` ran again.
        let b = build(&[("[build 2/6] WORKDIR /src", true), ("[build 3/6] COPY go.mod ./", false), (DEP, false)]);
        assert!(engine_missed_its_cache(&b, DEP, "main.go"));
        let b = build(&[("[build 2/6] WORKDIR /src", false), ("[build 3/6] COPY go.mod ./", false), (DEP, false)]);
        assert!(engine_missed_its_cache(&b, DEP, "main.go"));
    }

    #[test]
    fn a_miss_the_edit_explains_is_the_dockerfiles() {
        let b = build(&[("[build 2/6] WORKDIR /src", true), ("[build 3/6] COPY . .", false), (DEP, false)]);
        assert!(!engine_missed_its_cache(&b, DEP, "main.go"), "COPY . . brings the edited file in");
        let b = build(&[("[build 3/6] COPY go.mod ./", true), (DEP, false)]);
        assert!(!engine_missed_its_cache(&b, DEP, "main.go"), "the step itself missed: its own inputs changed");
        let b = build(&[("[build 3/6] COPY go.mod ./", true), (DEP, true)]);
        assert!(!engine_missed_its_cache(&b, DEP, "main.go"), "cached: nothing to explain");
    }
}
