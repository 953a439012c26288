//! One image build: BuildKit through a session, the classic builder as the fallback (where
//! BuildKit is unavailable, or cannot read an uploaded context), stopped early once the probe's
//! step is decided. Returns the build's record ([`BuildOutcome`]); a failing Dockerfile is part
//! of the record, not an error.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::Result;
use bollard::query_parameters::{BuildImageOptionsBuilder, BuilderVersion};
use futures_util::StreamExt;
use indicatif::ProgressBar;

use super::diagnose::is_uploaded_context_unreadable;
use super::progress::{Recorder, StepLog};
use super::Engine;
use crate::facts::build::{BuildFailure, BuildOutcome, Builder, Infrastructure};
use crate::output::say;
use crate::plan::BuildRequest;

impl Engine {
    /// Builds an image; failures of the Dockerfile are part of the outcome, not errors.
    /// The image, when built, is registered for cleanup.
    ///
    /// Failures that are not the Dockerfile's are errors (exit 2, "could not grade"): the engine
    /// going away mid-build, and a step that cannot reach the network twice in a row (one
    /// retry: registries and proxies fail under load, and that is never the learner's result).
    pub async fn build(&self, req: &BuildRequest<'_>, progress: &ProgressBar) -> Result<BuildOutcome> {
        let mut outcome = self.build_choosing_builder(req, progress).await?;
        for attempt in 1..=2 {
            let Some(infra) = outcome.failure.as_ref().and_then(|f| f.infrastructure.clone()) else {
                return Ok(outcome);
            };
            let step = outcome.failure.as_ref().and_then(|f| f.step).and_then(|i| outcome.steps.get(i));
            let during = step.map(|s| format!(" (step `{}`)", s.name)).unwrap_or_default();
            match infra {
                Infrastructure::EngineGone(e) => {
                    return Err(crate::error::advice(format!(
                        "could not grade: the Docker engine at {} stopped answering during the build{during} ({e}).\n\
                         This is not your Dockerfile's fault. Check that Docker is running again \
                         (`docker version`), then grade again.",
                        self.address
                    )))
                }
                Infrastructure::EngineNetwork(e) => {
                    return Err(crate::error::advice(format!(
                        "could not grade: the Docker engine at {} could not network a build step{during} ({e}).\n\
                         This is not your Dockerfile's fault: the engine's bridge network is gone (another \
                         daemon may have taken docker0). Restart Docker, then grade again.",
                        self.address
                    )))
                }
                Infrastructure::Network(host) => {
                    let what = if host.is_empty() { "the network".to_string() } else { host };
                    if attempt == 2 {
                        return Err(crate::error::advice(format!(
                            "could not grade: the build could not reach {what}{during}, twice.\n\
                             This is a network problem, not your Dockerfile: check the connection (or the \
                             proxy, and the engine's DNS), then grade again. The last lines of the step:\n{}",
                            step.map(|s| indent_tail(&s.log_tail, 8)).unwrap_or_default()
                        )));
                    }
                    say(
                        progress,
                        format!("the build could not reach {what}{during}: a network problem, trying once more"),
                    );
                    outcome = self.build_choosing_builder(req, progress).await?;
                }
            }
        }
        Ok(outcome)
    }

    /// One build with the requested builder, falling back to the classic builder where BuildKit
    /// cannot run.
    async fn build_choosing_builder(&self, req: &BuildRequest<'_>, progress: &ProgressBar) -> Result<BuildOutcome> {
        let classic = req.builder == Builder::Classic
            || (req.builder == Builder::Auto && self.buildkit_cannot_read_upload.load(Ordering::Relaxed));
        let first = if classic { Builder::Classic } else { Builder::BuildKit };
        let outcome = self.build_with(req, first, progress).await?;
        let setup_failed = outcome.steps.is_empty()
            && outcome.failure.as_ref().is_some_and(|f| !f.message.to_lowercase().contains("dockerfile"));
        let upload_unreadable = outcome.failure.as_ref().is_some_and(|f| is_uploaded_context_unreadable(&f.message));
        if req.builder == Builder::Auto && first == Builder::BuildKit && (setup_failed || upload_unreadable) {
            if !upload_unreadable {
                say(
                    progress,
                    format!(
                        "BuildKit is not available ({}); using the classic builder",
                        outcome.failure.as_ref().map(|f| f.message.as_str()).unwrap_or("")
                    ),
                );
                return self.build_with(req, Builder::Classic, progress).await;
            }
            let bug = format!(
                "this engine (Docker {}) cannot give BuildKit a build context sent through its API: a bug of the \
                 containerd image store before Docker 27.5 (moby/moby#47717)",
                self.version
            );
            if let Some(feature) = req.needs_buildkit {
                return Err(crate::error::advice(format!(
                    "{bug}, and your Dockerfile uses {feature}, which the classic builder cannot build.\nUpdate \
                     Docker to 27.5 or newer, or turn the containerd image store off (Docker Desktop: Settings > \
                     General > \"Use containerd for pulling and storing images\"), then grade again."
                )));
            }
            // Said once; the rest of this run goes straight to the classic builder.
            if !self.buildkit_cannot_read_upload.swap(true, Ordering::Relaxed) {
                say(
                    progress,
                    format!("{bug}. Grading with the classic builder; update Docker to grade with BuildKit."),
                );
            }
            return self.build_with(req, Builder::Classic, progress).await;
        }
        Ok(outcome)
    }

    async fn build_with(
        &self,
        req: &BuildRequest<'_>,
        builder: Builder,
        progress: &ProgressBar,
    ) -> Result<BuildOutcome> {
        let started = Instant::now();
        let labels = self.labels();
        let mut opts = BuildImageOptionsBuilder::default()
            .dockerfile(req.dockerfile)
            .t(req.tag)
            .rm(true)
            .forcerm(true)
            .labels(&labels)
            .buildargs(&req.args.iter().collect::<HashMap<_, _>>());
        if req.pull {
            opts = opts.pull("true");
        }
        if let Some(t) = req.target {
            opts = opts.target(t);
        }
        let session = format!("grader-{}-{}", self.run_id, req.tag.replace([':', '/'], "-"));
        opts = match builder {
            Builder::Classic => opts.version(BuilderVersion::BuilderV1),
            _ => opts.version(BuilderVersion::BuilderBuildKit).session(&session),
        };
        // The image is ours as soon as the engine may have tagged it.
        self.register_image(req.tag);
        // The context is written while the engine reads it: a few chunks in memory, whatever
        // its size (see context.rs).
        let upload = req.context.stream();
        let mut stream = self.docker.build_image(opts.build(), None, Some(bollard::body_try_stream(upload.body)));
        let mut rec = Recorder::new(std::env::var_os("GRADER_DEBUG").is_some_and(|d| d == "raw"));
        let mut log = StepLog::default();
        let mut error = None;
        let mut engine_gone = false;
        let mut stopped_early = false;
        let deadline = tokio::time::Instant::now() + req.timeout;
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, stream.next()).await else {
                error = Some(format!(
                    "the build did not finish within {} s, so the grader cancelled it. A step that waits or \
                     loops forever never ends: check your RUN steps. On a slow machine, grade with a larger \
                     `--timeout` (the spec's build.timeout_s is the default).",
                    req.timeout.as_secs()
                ));
                break;
            };
            let Some(item) = next else { break };
            match item {
                Ok(info) => rec.take(info),
                Err(bollard::errors::Error::DockerStreamError { error: e }) => {
                    error = Some(e);
                    break;
                }
                Err(e) => {
                    // A message from the engine (a rejected request) is the build's; a broken
                    // connection, a body that stops mid-stream or an I/O error is the engine's.
                    engine_gone = !matches!(
                        e,
                        bollard::errors::Error::DockerResponseServerError { .. }
                            | bollard::errors::Error::JsonDataError { .. }
                            | bollard::errors::Error::JsonSerdeError { .. }
                    );
                    error = Some(e.to_string());
                    break;
                }
            }
            show(&rec, &mut log, progress);
            if req.stop_at.is_some_and(|at| rec.decided(at)) {
                stopped_early = true;
                break;
            }
        }
        // Dropping the stream closes the request and the session: the engine cancels the build
        // (or, when every step was cached, may still finish it and tag the image: see cleanup).
        if stopped_early {
            self.stopped_a_build.store(true, Ordering::Relaxed);
        }
        drop(stream);
        show(&rec, &mut log, progress);
        if let Some(e) = upload.error.lock().unwrap_or_else(|p| p.into_inner()).take() {
            // The grader could not read the learner's folder: not the engine's fault, nor the build's.
            return Err(crate::error::advice(format!(
                "could not grade: the grader could not send the build context ({e}). Did a file change or \
                 vanish during the grading? Grade again."
            )));
        }
        let mut outcome = rec.finish(builder, error, engine_gone, started.elapsed());
        outcome.stopped_early = stopped_early;
        // For maintainers: GRADER_DEBUG=1 prints every build's steps as the engine reported them
        // (GRADER_DEBUG=raw: every vertex message as it arrives, too).
        if std::env::var_os("GRADER_DEBUG").is_some() {
            eprintln!("build {}: stopped_early={stopped_early} failure={:?}", req.tag, outcome.failure);
            for s in &outcome.steps {
                eprintln!("  cached={} started={} completed={} {}", s.cached, s.started, s.completed, s.name);
            }
        }
        if outcome.failure.is_none() && !stopped_early && !self.has_image(req.tag).await {
            outcome.failure = Some(BuildFailure {
                message: "the build finished but produced no image".into(),
                step: None,
                line: None,
                missing_base: None,
                infrastructure: None,
            });
        }
        Ok(outcome)
    }
}

/// The last `n` lines of a log, indented for a message.
fn indent_tail(log: &str, n: usize) -> String {
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

/// The build's progress for people: on a terminal, the spinner names the step running now; in
/// a log (CI, a pipe: the spinner is hidden), a line per step start and finish on stderr.
fn show(rec: &Recorder, log: &mut StepLog, progress: &ProgressBar) {
    if !progress.is_hidden() {
        if let Some(msg) = rec.current() {
            progress.set_message(msg);
        }
        return;
    }
    let prefix = progress.prefix();
    for line in log.update(rec, Instant::now()) {
        if prefix.is_empty() {
            eprintln!("{line}");
        } else {
            eprintln!("{prefix}: {line}");
        }
    }
}
