//! Gathering, the only code that drives the engine for facts: the plan's main build, the image
//! export, then each check's probe (cache rebuilds, starter build, smoke and stop runs, target
//! builds; every probe build through one `Prober`). It returns records, never verdicts.

mod http;
mod prober;
mod sign;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;
use workbook::spec::{CheckKind, CheckSpec, PRISTINE_DIR};
use workbook::Exercise;

use crate::context::BuildContext;
use crate::engine::Engine;
use crate::facts::build::{BuildFailure, BuildOutcome, Builder};
use crate::facts::image::BaseImage;
use crate::facts::{Facts, Measured};
use crate::plan::{BuildOptions, Plan};
use crate::provision;
use prober::Prober;

// One module per kind that probes (marked `[probe]` in the `workbook` crate's list of kinds),
// named as the kind, each with `gather`; the modules and the dispatch come from that list.
macro_rules! gatherers {
    ($($variant:ident($settings:ident) $name:ident $([$probe:ident])?,)*) => {
        $($(mod $name; const _: &str = stringify!($probe);)?)*

        /// Runs the probe of `check`, when its kind has one and it applies.
        async fn probe(g: &Gathering<'_>, check: &CheckSpec) -> Result<Option<Measured>> {
            match &check.kind {
                $($(CheckKind::$variant(settings) => {
                    let _ = stringify!($probe);
                    $name::gather(settings, g).await
                })?)*
                _ => Ok(None),
            }
        }
    };
}
workbook::for_each_check_kind!(gatherers);

/// What every probe may read: the exercise, the graded folder, the facts of the main build and
/// image, and the one way to run a probe build.
struct Gathering<'a> {
    engine: &'a Engine,
    exercise: &'a Exercise,
    /// The folder being graded (the learner's own, or a temporary overlay).
    dir: &'a Path,
    /// The main image's tag.
    image: &'a str,
    /// The main build and image, measured.
    facts: &'a Facts,
    prober: Prober<'a>,
    progress: &'a ProgressBar,
}

impl Gathering<'_> {
    /// Shows which probe runs, e.g. `ex1 cache`.
    fn show(&self, probe: &str) {
        self.progress.set_prefix(format!("{} {probe}", self.exercise.id));
    }
}

/// Makes the base images the build needs available (the offline kit builds the missing ones it
/// knows, unless `--pull` asks the engine to pull), and describes them for the report.
async fn base_images(engine: &Engine, plan: &Plan<'_>, progress: &ProgressBar) -> Result<Vec<BaseImage>> {
    let (exercise, df_rel) = (plan.exercise, plan.dockerfile);
    let own_bases = plan.parsed.as_ref().map(provision::bases).unwrap_or_default();
    if !plan.options.pull {
        let mut images = own_bases.clone();
        // The image an `absent` check reads originals from (copies_of) is provisioned as a base.
        images.extend(exercise.spec.checks.iter().filter_map(|c| match &c.kind {
            CheckKind::Absent(p) => p.copies_of.as_ref().map(|c| crate::image_ref::normalize(&c.image)),
            _ => None,
        }));
        if exercise.spec.checks.iter().any(|c| matches!(&c.kind, CheckKind::Size(s) if s.max_ratio.is_some())) {
            // Read like the learner's Dockerfile: a regular file inside the exercise, never a FIFO.
            let starter = format!("{PRISTINE_DIR}/{df_rel}");
            let text = crate::workspace::read_inside(&exercise.dir, &starter, crate::workspace::MAX_DOCKERFILE_BYTES);
            if let Some(df) = text.ok().and_then(|t| dockerfile::parse(&t).ok()) {
                images.extend(provision::bases(&df));
            }
        }
        let root = exercise.dir.ancestors().find(|d| d.join("exercises").is_dir());
        provision::ensure(engine, &images, root, progress).await?;
    }
    let mut bases = Vec::new();
    for image in &own_bases {
        bases.extend(provision::describe(engine, image).await);
    }
    Ok(bases)
}

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
    let df_text = {
        let (dir, df_rel) = (dir.to_path_buf(), df_rel.to_string());
        let read = move || crate::workspace::read_inside(&dir, &df_rel, crate::workspace::MAX_DOCKERFILE_BYTES);
        crate::workspace::off_runtime(read).await?
    };
    let plan = Plan::new(exercise, dir, &std::env::current_dir().unwrap_or_default(), &df_text, opts);
    if let Some(failure) = plan.rejected() {
        return Ok(unbuilt(engine, &plan, failure));
    }
    if !plan.options.pull {
        for (from, line) in plan.copy_sources_not_stages() {
            if !engine.has_image(&crate::image_ref::normalize(from)).await {
                return Ok(unbuilt(engine, &plan, plan.unknown_copy_source(from, line)));
            }
        }
    }
    let context = BuildContext::pack_off_runtime(dir, df_rel).await?;
    if context.content_bytes() > 100_000_000 {
        crate::output::say(
            progress,
            format!(
                "sending a {} MB build context; its largest files: {}",
                context.content_bytes() / 1_000_000,
                context.largest(3)
            ),
        );
    }
    if !context.skipped.is_empty() {
        crate::output::say(
            progress,
            format!(
                "left out of the build context (a pipe, socket or device cannot be sent): {}",
                context.skipped.join(", ")
            ),
        );
    }
    // The context's files are searched for the secret on a blocking thread while the engine
    // builds: a second read of what the upload reads (from the page cache, most often).
    let context_search = plan.context_canary.and_then(|c| crate::canary::Canary::new(c.as_bytes())).map(|canary| {
        let context = context.clone();
        tokio::task::spawn_blocking(move || context.find_canary(&canary))
    });
    let bases = base_images(engine, &plan, progress).await?;
    let tag = engine.tag(&exercise.id, "main");
    progress.set_prefix(format!("{} build", exercise.id));
    let req = plan.request(&context, &tag);
    let build = engine.build(&req, progress).await?;
    let context_canary = match context_search {
        Some(search) => Some(search.await.map_err(|e| anyhow::anyhow!("searching the build context: {e}"))?),
        None => None,
    };
    let mut facts = Facts {
        dockerfile_path: plan.dockerfile_path.clone(),
        dockerfile: plan.parsed.clone().map_err(|e| e.to_string()),
        context_files: context.files.len(),
        context_bytes: context.content_bytes(),
        context_paths: context.files.clone(),
        context_ignore: context.ignore.clone(),
        context_canary,
        originals: None,
        build,
        image: None,
        probes: BTreeMap::new(),
        probe_time: BTreeMap::new(),
        bases,
        engine_version: engine.version.clone(),
        run_id: engine.run_id.clone(),
    };
    if let Some(f) = facts.build.failure.as_mut() {
        if let Some(why) = plan.explain_engine_message(&f.message) {
            f.message = format!("{}\n{why}", f.message.trim_end());
        }
    }
    if let Some(f) = &facts.build.failure {
        if let Some(image) = &f.missing_base {
            return Err(crate::engine::diagnose::missing_base_advice(image, &f.message));
        }
        return Ok(facts);
    }

    progress.set_prefix(format!("{} measure", exercise.id));
    let copies_of = spec.checks.iter().find_map(|c| match &c.kind {
        CheckKind::Absent(p) => p.copies_of.as_ref(),
        _ => None,
    });
    if let Some(copies) = copies_of {
        progress.set_message(format!("reading {} from {}", copies.paths.join(", "), copies.image));
        facts.originals =
            Some(engine.read_originals(&crate::image_ref::normalize(&copies.image), &copies.paths).await?);
    }
    progress.set_message("exporting the image");
    let originals = facts.originals.as_ref().map(|o| o.files.as_slice()).unwrap_or_default();
    facts.image = Some(engine.image_facts(&tag, plan.canary, originals).await?);

    let (mut probes, mut probe_time) = (BTreeMap::new(), BTreeMap::new());
    {
        let g = Gathering {
            engine,
            exercise,
            dir,
            image: &tag,
            facts: &facts,
            prober: Prober::new(engine, &exercise.id, req, progress),
            progress,
        };
        // With BuildKit, the probes that only run the built image (smoke, stop) go beside the
        // ones that build: a container start and an HTTP wait are mostly waiting, and so is a
        // probe build's upload and cache lookup (ex1's warm re-grade, 5 runs each at load 3:
        // 0.97 s instead of 1.21 s). The classic builder got slower and less even beside a
        // container run (1.64 s instead of 1.49 s), so it keeps one probe at a time. Builds never
        // run beside each other (concurrent builds sharing steps are where dockerd 20.10 missed
        // its own cache, see cache.rs). The runs beside report no progress: the bar is the builds'.
        let runs_only = |c: &&CheckSpec| matches!(c.kind, CheckKind::Smoke(_) | CheckKind::Stop(_));
        let (runs, builds): (Vec<&CheckSpec>, Vec<&CheckSpec>) = spec.checks.iter().partition(runs_only);
        let beside = facts.build.builder == Builder::BuildKit && !runs.is_empty() && !builds.is_empty();
        let (built, ran) = if beside {
            let quiet = ProgressBar::hidden();
            let runner = Gathering { prober: Prober::new(engine, &exercise.id, req, &quiet), progress: &quiet, ..g };
            tokio::join!(probes_in_turn(&g, builds), probes_in_turn(&runner, runs))
        } else {
            (probes_in_turn(&g, spec.checks.iter().collect()).await, Ok(Vec::new()))
        };
        for (id, measured, took) in built?.into_iter().chain(ran?) {
            probe_time.insert(id.clone(), took);
            probes.insert(id, measured);
        }
    }
    facts.probes = probes;
    facts.probe_time = probe_time;
    engine.remove_image(&tag).await;
    Ok(facts)
}

/// Runs the probes of `checks` one after the other: each one's measure and how long it took.
async fn probes_in_turn(
    g: &Gathering<'_>,
    checks: Vec<&CheckSpec>,
) -> Result<Vec<(String, Measured, std::time::Duration)>> {
    let mut done = Vec::new();
    for check in checks {
        let started = std::time::Instant::now();
        if let Some(measured) = probe(g, check).await? {
            done.push((check.id.clone(), measured, started.elapsed()));
        }
    }
    Ok(done)
}

/// The facts of a Dockerfile that was not built: `failure` says why. Nothing reaches the engine.
fn unbuilt(engine: &Engine, plan: &Plan<'_>, failure: BuildFailure) -> Facts {
    Facts {
        dockerfile_path: plan.dockerfile_path.clone(),
        dockerfile: plan.parsed.clone().map_err(|e| e.to_string()),
        context_files: 0,
        context_bytes: 0,
        context_paths: Vec::new(),
        context_ignore: Default::default(),
        context_canary: None,
        originals: None,
        build: BuildOutcome {
            builder: plan.options.builder,
            steps: Vec::new(),
            failure: Some(failure),
            stopped_early: false,
            duration: Default::default(),
        },
        image: None,
        probes: BTreeMap::new(),
        probe_time: BTreeMap::new(),
        bases: Vec::new(),
        engine_version: engine.version.clone(),
        run_id: engine.run_id.clone(),
    }
}
