//! The cache probe: two rebuilds from a temporary copy of the exercise, one after a harmless
//! edit to a source file (the dependency step must come from the cache) and one after an edit to
//! the dependency manifest (it must not). The learner's files are never touched.

use std::path::Path;

use anyhow::Result;
use workbook::spec::CacheCheck;

use super::prober::Variant;
use super::Gathering;
use crate::facts::build::{squash, BuildOutcome};
use crate::facts::{CacheProbe, Measured, NotMeasured, Probe};
use crate::locate::dependency_step;
use crate::workspace::append_harmless_edit;

pub async fn gather(check: &CacheCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    // Without a dependency step there is nothing to probe; the check says so.
    let Some(dependency_step) = dependency_step(g.facts, &check.step) else { return Ok(None) };
    g.show("cache");
    probe(check, g, &dependency_step.name).await.map(Some)
}

async fn probe(check: &CacheCheck, g: &Gathering<'_>, dependency_step: &str) -> Result<Measured> {
    let copy = g.prober.copy(g.dir, &[&check.source, &check.manifest]).await?;
    for file in [&check.source, &check.manifest] {
        if !copy.path().join(file).is_file() {
            return Ok(Err(NotMeasured(format!("the probe edits `{file}`, but the exercise has no such file"))));
        }
    }
    let run_id = &g.engine.run_id;
    let edits = Edits { g, copy: copy.path(), dependency_step };
    let mut after_source = edits.rebuild_after_edit(&check.source, run_id, "cache-source").await?;
    let mut rebuilt_unedited = false;
    if engine_missed_its_cache(&after_source, dependency_step, &check.source) {
        // Seen on dockerd 20.10 with other builds sharing steps on the same engine: a step before
        // anything the edit touched ran again. Build the unedited Dockerfile once more (its steps
        // are then recorded under the keys a lone build computes) and probe again, once.
        g.progress.set_message("the engine missed its own cache: building the unedited Dockerfile again");
        g.prober.outcome("cache-again", Variant::default()).await?;
        rebuilt_unedited = true;
        // A new edit: whatever the first probe completed before it was stopped must not serve.
        let nonce = format!("{run_id}-again");
        after_source = edits.rebuild_after_edit(&check.source, &nonce, "cache-source").await?;
    }
    let after_manifest = edits.rebuild_after_edit(&check.manifest, run_id, "cache-manifest").await?;
    Ok(Ok(Probe::Cache(CacheProbe {
        after_source_edit: after_source,
        after_manifest_edit: after_manifest,
        rebuilt_unedited,
    })))
}

/// The probe's edits, each followed by a rebuild.
struct Edits<'a> {
    g: &'a Gathering<'a>,
    /// The temporary copy of the exercise the edits go to.
    copy: &'a Path,
    dependency_step: &'a str,
}

impl Edits<'_> {
    /// Rebuilds the copy after a harmless edit to `file` (marked with `nonce`), stopping once the
    /// dependency step is decided, and puts the file back.
    async fn rebuild_after_edit(&self, file: &str, nonce: &str, purpose: &str) -> Result<BuildOutcome> {
        let path = self.copy.join(file);
        let original = std::fs::read(&path)?;
        append_harmless_edit(&path, nonce)?;
        self.g.progress.set_message(format!("rebuilding after an edit to {file}"));
        let variant = Variant { from: Some(self.copy), stop_at: Some(self.dependency_step), throwaway: true, ..Variant::default() };
        let outcome = self.g.prober.outcome(purpose, variant).await;
        std::fs::write(&path, original)?;
        outcome
    }
}

/// Whether the build after a source edit missed the cache before anything the edit touched:
/// the dependency step ran again, the first step of its stage that missed the cache is a COPY
/// of other files from the context, and no COPY that brings the edited file in ran.
pub fn engine_missed_its_cache(build: &BuildOutcome, dependency_step: &str, source: &str) -> bool {
    if build.failure.is_some() {
        return false;
    }
    let Some(dep) = build.steps.iter().find(|s| squash(&s.name) == squash(dependency_step)) else { return false };
    if dep.cached {
        return false;
    }
    let Some(miss) = build.first_miss_up_to(dep) else { return false };
    let copies_other_files = miss.copy_instruction().is_some_and(|i| !i.contains("--from")) && !miss.brings_in(source);
    if miss.name == dep.name || !copies_other_files {
        return false;
    }
    // Identical steps of two stages are one step to BuildKit, reported under either stage's
    // name, so the stage a miss is reported in proves little: any COPY that brings the edited
    // file in and ran for this build may explain the miss.
    !build.steps.iter().any(|s| (s.started || s.completed) && !s.cached && s.brings_in(source))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::facts::build::{Builder, Step};

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
        let mut b = build(&[("[build 3/6] COPY go.mod ./", false), (DEP, false), ("[build 5/6] COPY . .", false)]);
        b.steps[2].started = false;
        assert!(engine_missed_its_cache(&b, DEP, "main.go"), "COPY . . comes later and never started");
    }

    #[test]
    fn a_miss_the_edit_explains_is_the_dockerfiles() {
        let b = build(&[("[build 2/6] WORKDIR /src", true), ("[build 3/6] COPY . .", false), (DEP, false)]);
        assert!(!engine_missed_its_cache(&b, DEP, "main.go"), "COPY . . brings the edited file in");
        let b = build(&[("[build 2/6] WORKDIR /src", false), (DEP, false)]);
        assert!(!engine_missed_its_cache(&b, DEP, "main.go"), "no COPY missed: the base image may have changed");
        // ex5's starter: `WORKDIR /app` + `COPY . .` in both stages are one step to BuildKit,
        // reported under the other stage's name; the build stage shows `npm ci` as its first miss.
        let npm_build = "[build 5/6] RUN npm run build";
        let b = build(&[("[stage-1 3/7] COPY . .", false), ("[build 4/6] RUN npm ci", false), (npm_build, false)]);
        assert!(!engine_missed_its_cache(&b, npm_build, "public/style.css"));
        let b = build(&[("[build 3/6] COPY go.mod ./", true), (DEP, false)]);
        assert!(!engine_missed_its_cache(&b, DEP, "main.go"), "the step itself missed: its own inputs changed");
        let b = build(&[("[build 3/6] COPY go.mod ./", true), (DEP, true)]);
        assert!(!engine_missed_its_cache(&b, DEP, "main.go"), "cached: nothing to explain");
    }
}
