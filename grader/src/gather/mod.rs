//! Gathering: the only code that drives the engine for facts. It runs the plan's main build,
//! exports the image, and runs each check's probe (cache rebuilds, starter build, smoke and stop
//! runs, target builds) from temporary copies; it returns records, never verdicts.

mod cache;
mod smoke;
mod starter;
mod stop;
mod target;
mod targets;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;
use workbook::spec::CheckKind;
use workbook::Exercise;

use crate::context::BuildContext;
use crate::engine::Engine;
use crate::facts::Facts;
use crate::locate::dependency_step;
use crate::plan::{BuildOptions, Plan};

/// Builds and measures the exercise in `dir` (the learner's folder, or a temporary overlay of
/// the solution) as its spec asks.
pub async fn gather(
    engine: &Engine,
    exercise: &Exercise,
    dir: &Path,
    opts: BuildOptions,
    progress: &ProgressBar,
) -> Result<Facts> {
    let spec = &exercise.spec;
    let df_rel = spec.build.dockerfile.as_str();
    let df_text = std::fs::read_to_string(dir.join(df_rel))
        .map_err(|e| crate::error::advice(format!("cannot read {}: {e}", dir.join(df_rel).display())))?;
    let plan = Plan::new(exercise, dir, &std::env::current_dir().unwrap_or_default(), &df_text, opts);
    let context = BuildContext::pack(dir, df_rel)?;
    let tag = engine.tag(&exercise.id, "main");
    progress.set_prefix(format!("{} build", exercise.id));
    let req = plan.request(&context, &tag);
    let build = engine.build(&req, progress).await?;
    let mut facts = Facts {
        dockerfile_path: plan.dockerfile_path.clone(),
        dockerfile: plan.parsed.clone(),
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
            return Err(crate::engine::diagnose::missing_base_advice(image, &f.message));
        }
        return Ok(facts);
    }

    progress.set_prefix(format!("{} measure", exercise.id));
    progress.set_message("exporting the image");
    let image = engine.image_facts(&tag, plan.canary).await?;
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
