//! Facts: everything measured once per grading run, then handed to the (pure) checks.
//!
//! Gathering is the only part of grading that talks to the engine: the main build, the image
//! export, the cache-probe rebuilds from temporary copies, and the smoke runs.

pub mod build;
pub mod cache;
pub mod image;
pub mod smoke;
pub mod starter;
pub mod stop;
pub mod target;
pub mod targets;
pub mod workspace;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;

use crate::context::BuildContext;
use crate::engine::Engine;
use crate::facts::build::{BuildOutcome, Builder};
use crate::facts::image::ImageFacts;
use crate::plan::BuildRequest;
use workbook::spec::CheckKind;
use workbook::Exercise;

pub use cache::CacheProbe;
pub use smoke::SmokeResult;
pub use stop::StopResult;
pub use target::TargetProbe;
pub use targets::TargetRun;

/// Options that change how facts are gathered (not what is judged).
#[derive(Debug, Clone, Copy, Default)]
pub struct GatherOptions {
    pub pull: bool,
    pub builder: Builder,
}

/// Everything the checks may read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Facts {
    /// The Dockerfile's path as the learner sees it (for `file:line` messages).
    pub dockerfile_path: String,
    /// The parsed Dockerfile, or the parser's error (the engine stays the judge of validity).
    #[serde(skip)]
    pub dockerfile: Result<dockerfile::Dockerfile, String>,
    /// The context as sent: files and bytes after `.dockerignore`.
    pub context_files: usize,
    pub context_bytes: u64,
    /// Every regular file sent, with its size.
    #[serde(skip)]
    pub context_paths: Vec<(String, u64)>,
    /// The ignore rules the context was packed with.
    #[serde(skip)]
    pub context_ignore: crate::dockerignore::Dockerignore,
    pub build: BuildOutcome,
    /// The built image; `None` when the build failed.
    pub image: Option<ImageFacts>,
    /// Cache probes by check id.
    pub cache: BTreeMap<String, CacheProbe>,
    /// Smoke runs by check id.
    pub smoke: BTreeMap<String, SmokeResult>,
    /// The pristine starter's content size, when a relative budget needs it.
    pub starter_size: Option<Result<u64, String>>,
    /// Target probes by check id.
    pub target: BTreeMap<String, TargetProbe>,
    /// Stop probes by check id.
    pub stop: BTreeMap<String, StopResult>,
    /// Target shootouts by check id.
    pub targets: BTreeMap<String, Vec<TargetRun>>,
    /// The engine's version and the builder used, for the report.
    pub engine_version: String,
    pub run_id: String,
}

/// The dependency step a cache check judges: of the RUN steps whose command contains `needle`,
/// the first in Dockerfile order (stage, then step number).
pub fn dependency_step<'f>(facts: &'f Facts, needle: &'f str) -> Option<&'f crate::facts::build::Step> {
    let order = |s: &crate::facts::build::Step| {
        let p = s.parsed();
        let stage = match (&facts.dockerfile, &p) {
            (Ok(df), Some(p)) => crate::locate::stage_of(df, p).map(|st| st.index).unwrap_or(usize::MAX),
            _ => usize::MAX,
        };
        (stage, p.map(|p| p.number).unwrap_or(usize::MAX))
    };
    facts.build.run_steps(needle).min_by_key(|s| order(s))
}

/// The Dockerfile's path as messages show it: relative to the current directory when the
/// learner's own folder is graded, `exercises/<id>/...` for a temporary overlay.
fn shown_path(exercise: &Exercise, dir: &Path, df_rel: &str) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    if dir == exercise.dir {
        let full = dir.join(df_rel);
        let abs = if full.is_absolute() { full } else { cwd.join(full) };
        if let Ok(rel) = abs.strip_prefix(&cwd) {
            return rel.display().to_string();
        }
        return abs.display().to_string();
    }
    format!("exercises/{}/{df_rel}", exercise.id)
}

/// Builds and measures the exercise in `dir` (the learner's folder, or a temporary overlay of
/// the solution) as its spec asks.
pub async fn gather(
    engine: &Engine,
    exercise: &Exercise,
    dir: &Path,
    opts: GatherOptions,
    progress: &ProgressBar,
) -> Result<Facts> {
    let spec = &exercise.spec;
    let df_rel = spec.build.dockerfile.as_str();
    let df_text = std::fs::read_to_string(dir.join(df_rel))
        .map_err(|e| crate::error::advice(format!("cannot read {}: {e}", dir.join(df_rel).display())))?;
    let dockerfile = dockerfile::parse(&df_text).map_err(|e| e.to_string());
    let context = BuildContext::pack(dir, df_rel)?;
    let tag = engine.tag(&exercise.id, "main");
    progress.set_prefix(format!("{} build", exercise.id));
    let needs_buildkit = dockerfile.as_ref().ok().and_then(|df| needs_buildkit(df, df_rel));
    let req = BuildRequest {
        context: &context,
        dockerfile: df_rel,
        tag: &tag,
        target: spec.build.target.as_deref(),
        args: &spec.build.args,
        pull: opts.pull,
        builder: opts.builder,
        stop_at: None,
        needs_buildkit: needs_buildkit.as_deref(),
    };
    let build = engine.build(&req, progress).await?;
    let mut facts = Facts {
        dockerfile_path: shown_path(exercise, dir, df_rel),
        dockerfile,
        context_files: context.files.len(),
        context_bytes: context.content_bytes(),
        context_paths: context.files.clone(),
        context_ignore: context.ignore.clone(),
        build,
        image: None,
        cache: BTreeMap::new(),
        smoke: BTreeMap::new(),
        starter_size: None,
        target: BTreeMap::new(),
        stop: BTreeMap::new(),
        targets: BTreeMap::new(),
        engine_version: engine.version.clone(),
        run_id: engine.run_id.clone(),
    };
    if let Some(f) = &facts.build.failure {
        if let Some(image) = &f.missing_base {
            return Err(crate::error::advice(format!(
                "the base image {image} is not available: it is not in the local image store and could not be pulled \
                 ({}).\nPull it with `docker pull {image}` when a registry is reachable, or build the offline \
                 stand-ins with `kit/build.sh`.",
                f.message.lines().last().unwrap_or("")
            )));
        }
        return Ok(facts);
    }

    progress.set_prefix(format!("{} measure", exercise.id));
    progress.set_message("exporting the image");
    let canary = spec.checks.iter().find_map(|c| match &c.kind {
        CheckKind::Context(x) => x.canary.as_deref(),
        _ => None,
    });
    let image = engine.image_facts(&tag, canary).await?;
    let main_size = image.content_size;
    facts.image = Some(image);
    if spec.checks.iter().any(|c| matches!(&c.kind, CheckKind::Size(s) if s.max_ratio.is_some())) {
        progress.set_prefix(format!("{} starter", exercise.id));
        facts.starter_size = Some(starter::size(engine, exercise, dir, &req, main_size, progress).await?);
    }

    for check in &spec.checks {
        match &check.kind {
            // Without a dependency step there is nothing to probe; the check says so.
            CheckKind::Cache(c) if dependency_step(&facts, &c.step).is_some() => {
                let step = dependency_step(&facts, &c.step).expect("checked").name.clone();
                progress.set_prefix(format!("{} cache", exercise.id));
                let probe = cache::probe(engine, exercise, dir, c, &req, &step, progress).await?;
                facts.cache.insert(check.id.clone(), probe);
            }
            CheckKind::Smoke(s) => {
                progress.set_prefix(format!("{} smoke", exercise.id));
                progress.set_message("running the image");
                facts.smoke.insert(check.id.clone(), smoke::run(engine, &tag, s).await);
            }
            CheckKind::Stop(s) => {
                progress.set_prefix(format!("{} stop", exercise.id));
                progress.set_message("running the image, then sending SIGTERM");
                facts.stop.insert(check.id.clone(), stop::run(engine, &tag, s).await);
            }
            CheckKind::Target(t) => {
                progress.set_prefix(format!("{} target", exercise.id));
                facts.target.insert(check.id.clone(), target::probe(engine, exercise, dir, t, &req, progress).await?);
            }
            CheckKind::Targets(t) => {
                progress.set_prefix(format!("{} targets", exercise.id));
                facts.targets.insert(check.id.clone(), targets::run(engine, exercise, t, &req, progress).await?);
            }
            _ => {}
        }
    }
    engine.remove_image(&tag).await;
    Ok(facts)
}

/// The first thing in the Dockerfile that only BuildKit builds right, said for a learner:
/// heredocs (the classic builder runs `RUN <<EOF` as an empty script and reports success) or
/// BuildKit-only flags (it rejects them). A `# syntax=` directive alone is fine: the classic
/// builder ignores it.
fn needs_buildkit(df: &dockerfile::Dockerfile, path: &str) -> Option<String> {
    let buildkit_flags = ["mount", "network", "security", "link", "parents", "exclude", "checksum", "keep-git-dir"];
    df.stages.iter().flat_map(|s| &s.instructions).find_map(|i| {
        if !i.heredocs.is_empty() {
            return Some(format!("a heredoc ({path}:{})", i.lines.start));
        }
        i.flags
            .iter()
            .find(|f| buildkit_flags.contains(&f.name.as_str()))
            .map(|f| format!("`{} --{}` ({path}:{})", i.keyword, f.name, i.lines.start))
    })
}
