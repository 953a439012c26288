//! One image build: BuildKit through a session (classic builder as the fallback), progress,
//! and the per-step record the checks read (name, cached, error, log tail).
//!
//! BuildKit reports steps as vertices that are updated many times; they are grouped by digest
//! and the last update wins. The classic builder reports `Step N/M : ...` lines and
//! ` ---> Using cache`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Result;
use bollard::models::{BuildInfo, BuildInfoAux};
use bollard::query_parameters::{BuildImageOptionsBuilder, BuilderVersion};
use futures_util::StreamExt;
use indicatif::ProgressBar;

use super::{Engine, RUN_LABEL};
use crate::context::BuildContext;

/// Which builder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    /// BuildKit, falling back to the classic builder when the engine cannot run BuildKit.
    #[default]
    Auto,
    BuildKit,
    Classic,
}

/// What to build.
#[derive(Clone, Copy)]
pub struct BuildRequest<'a> {
    pub context: &'a BuildContext,
    pub dockerfile: &'a str,
    pub tag: &'a str,
    pub target: Option<&'a str>,
    pub args: &'a BTreeMap<String, String>,
    pub pull: bool,
    pub builder: Builder,
    /// Stop the build as soon as the step with this name (as the main build reported it) is
    /// known to be cached or to be running: the cache probe needs nothing more, and the rest
    /// may take minutes.
    pub stop_at: Option<&'a str>,
    /// What in the Dockerfile only BuildKit builds right, said for a learner ("a heredoc
    /// (Dockerfile:11)"): `Auto` must not fall back to the classic builder, which runs
    /// `RUN <<EOF` as an empty script and reports success, and rejects BuildKit-only flags.
    pub needs_buildkit: Option<&'a str>,
}

/// One build step as the engine reported it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Step {
    /// The engine's name for it, e.g. `[builder 3/6] RUN go mod download`.
    pub name: String,
    /// Whether the result came from the build cache.
    pub cached: bool,
    /// The step's error, if it failed.
    pub error: Option<String>,
    /// The last lines of the step's output.
    pub log_tail: String,
    /// Whether the step started executing (a cached step may never start).
    pub started: bool,
    /// Whether the step ran to completion (or was served from cache).
    pub completed: bool,
}

impl Step {
    /// Whether this is a RUN step whose command contains `needle`.
    pub fn runs(&self, needle: &str) -> bool {
        self.parsed().is_some_and(|p| p.instruction.starts_with("RUN") && p.instruction.contains(needle))
    }

    /// The instruction text when this is a COPY or ADD step.
    pub fn copy_instruction(&self) -> Option<&str> {
        let i = self.parsed()?.instruction;
        (i.starts_with("COPY") || i.starts_with("ADD")).then_some(i)
    }

    /// Whether this is a COPY or ADD of the build context that can bring in `file`.
    pub fn brings_in(&self, file: &str) -> bool {
        self.copy_instruction().is_some_and(|i| crate::locate::copies_file(i, file))
    }

    /// The parts of a BuildKit-style name: stage (`builder`, `stage-1`, none for a one-stage
    /// build), and the instruction text (`RUN go mod download`). `None` for internal steps.
    pub fn parsed(&self) -> Option<StepName<'_>> {
        let rest = self.name.strip_prefix('[')?;
        let (inside, instruction) = rest.split_once("] ")?;
        if inside == "internal" || inside.starts_with("auth") {
            return None;
        }
        let (stage, counter) = match inside.rsplit_once(' ') {
            Some((stage, counter)) => (Some(stage), counter),
            None => (None, inside),
        };
        let (n, total) = counter.split_once('/')?;
        Some(StepName { stage, number: n.parse().ok()?, total: total.parse().ok()?, instruction })
    }
}

/// A step name taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepName<'a> {
    pub stage: Option<&'a str>,
    pub number: usize,
    pub total: usize,
    pub instruction: &'a str,
}

/// Why a build did not produce an image.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BuildFailure {
    /// The engine's final error message.
    pub message: String,
    /// Index into `steps` of the step that failed, when known.
    pub step: Option<usize>,
    /// A base image that could not be found locally or pulled.
    pub missing_base: Option<String>,
    /// Not the Dockerfile's fault: the network or the engine failed (see [`Infrastructure`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<Infrastructure>,
}

/// A build that failed for a reason outside the learner's Dockerfile.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Infrastructure {
    /// A step could not reach a host on the network (the host, or "" when unnamed).
    Network(String),
    /// The connection to the engine broke during the build (the engine stopped or restarted).
    EngineGone(String),
}

/// Everything one build reported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildOutcome {
    pub builder: Builder,
    /// Steps in the order the engine first reported them.
    pub steps: Vec<Step>,
    pub failure: Option<BuildFailure>,
    /// The build was stopped on purpose once `stop_at` was decided (no image was made).
    pub stopped_early: bool,
    #[serde(skip)]
    pub duration: Duration,
}

impl BuildOutcome {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }

    /// The RUN steps whose command contains `needle` (e.g. the dependency-install steps).
    pub fn run_steps<'s>(&'s self, needle: &'s str) -> impl Iterator<Item = &'s Step> + 's {
        self.instruction_steps().filter(move |s| s.runs(needle))
    }

    /// Steps that ran an instruction of the Dockerfile (internal and export steps left out).
    pub fn instruction_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.parsed().is_some_and(|p| !p.instruction.starts_with("FROM ")))
    }

    /// The first step of `step`'s stage (by step number, `step` included) that missed the cache.
    pub fn first_miss_up_to(&self, step: &Step) -> Option<&Step> {
        let d = step.parsed()?;
        self.instruction_steps()
            .filter(|s| !s.cached)
            .filter_map(|s| s.parsed().map(|p| (p, s)))
            .filter(|(p, _)| p.stage == d.stage && p.number <= d.number)
            .min_by_key(|(p, _)| p.number)
            .map(|(_, s)| s)
    }
}

const LOG_TAIL_BYTES: usize = 6000;

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
                    crate::grade::say(
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
                crate::grade::say(
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
                crate::grade::say(
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
        let labels: HashMap<&str, &str> = [(RUN_LABEL, self.run_id.as_str())].into();
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
        let body = bollard::body_full(req.context.tar.clone().into());
        let mut stream = self.docker.build_image(opts.build(), None, Some(body));
        let mut rec =
            Recorder { raw_debug: std::env::var_os("GRADER_DEBUG").is_some_and(|d| d == "raw"), ..Recorder::default() };
        let mut error = None;
        let mut engine_gone = false;
        let mut stopped_early = false;
        while let Some(item) = stream.next().await {
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
            if let Some(msg) = rec.current() {
                progress.set_message(msg);
            }
            if req.stop_at.is_some_and(|at| rec.decided(at)) {
                stopped_early = true;
                break;
            }
        }
        // Dropping the stream closes the request and the session: the engine cancels the build.
        drop(stream);
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
                missing_base: None,
                infrastructure: None,
            });
        }
        Ok(outcome)
    }
}

/// Accumulates the stream of one build.
#[derive(Default)]
struct Recorder {
    /// `GRADER_DEBUG=raw`: print every vertex message as it arrives.
    raw_debug: bool,
    /// The engine's time stamp (seconds, nanoseconds) of this build's first step.
    began: Option<(i64, i32)>,
    /// BuildKit vertices by digest, in first-seen order.
    order: Vec<String>,
    vertices: HashMap<String, Step>,
    /// Classic builder: steps in order; the last is the current one.
    classic: Vec<Step>,
}

impl Recorder {
    fn take(&mut self, info: BuildInfo) {
        if let Some(BuildInfoAux::BuildKit(status)) = info.aux {
            for v in status.vertexes {
                let started = v.started.as_ref().map(|t| (t.seconds, t.nanos));
                let completed = v.completed.as_ref().map(|t| (t.seconds, t.nanos));
                if self.raw_debug {
                    eprintln!(
                        "vertex {:.19} cached={} started={started:?} completed={completed:?} {}",
                        v.digest, v.cached, v.name
                    );
                }
                // The engine's clock at the start of this build: the first time stamp it sends.
                // Nothing of the Dockerfile can run before the build context (which holds it) is
                // loaded, so that first stamp is this build's own.
                if self.began.is_none() {
                    self.began = started;
                }
                // BuildKit shares a step between concurrent builds that need the same result,
                // and a build that joins a step another build still holds is sent that step's
                // past progress, as the other build reported it: its name, its times, and
                // `cached: false` if it ran there. A step that completed before this build began
                // came from a result that already existed: for this build it is cached.
                let past = matches!((completed, self.began), (Some(c), Some(b)) if c < b);
                let step = self.vertex(&v.digest);
                if !past || step.name.is_empty() {
                    step.name = v.name;
                }
                step.cached |= v.cached || past;
                step.started |= started.is_some();
                step.completed |= completed.is_some();
                if !past && !v.error.is_empty() {
                    step.error = Some(v.error);
                }
            }
            for log in status.logs {
                let step = self.vertex(&log.vertex);
                push_tail(&mut step.log_tail, &String::from_utf8_lossy(&log.msg));
            }
            return;
        }
        if let Some(text) = info.stream {
            for line in text.split_inclusive('\n') {
                if let Some(rest) = line.strip_prefix("Step ") {
                    if let Some(prev) = self.classic.last_mut() {
                        prev.completed = true;
                    }
                    // "Step 3/7 : RUN go mod download" -> "[3/7] RUN go mod download"
                    let name = match rest.split_once(" : ") {
                        Some((counter, instr)) => format!("[{}] {}", counter.trim(), instr.trim()),
                        None => rest.trim().to_string(),
                    };
                    self.classic.push(Step { name, ..Step::default() });
                } else if line.trim() == "---> Using cache" {
                    if let Some(s) = self.classic.last_mut() {
                        s.cached = true;
                    }
                } else if line.trim_start().starts_with("---> Running in") {
                    if let Some(s) = self.classic.last_mut() {
                        s.started = true;
                    }
                } else if let Some(s) = self.classic.last_mut() {
                    if !line.trim_start().starts_with("--->") {
                        push_tail(&mut s.log_tail, line);
                    }
                }
            }
        }
    }

    fn vertex(&mut self, digest: &str) -> &mut Step {
        if !self.vertices.contains_key(digest) {
            self.order.push(digest.to_string());
        }
        self.vertices.entry(digest.to_string()).or_default()
    }

    /// Whether the step named `name` is known to be cached or to be running.
    fn decided(&self, name: &str) -> bool {
        let wanted = crate::locate::squash(name);
        let decided = |s: &&Step| (s.cached || s.started || s.completed) && crate::locate::squash(&s.name) == wanted;
        match self.classic.last() {
            Some(_) => self.classic.iter().any(|s| decided(&s)),
            None => self.vertices.values().any(|s| decided(&s)),
        }
    }

    /// A one-line progress message: the step running now.
    fn current(&self) -> Option<String> {
        if let Some(s) = self.classic.last() {
            return Some(s.name.clone());
        }
        self.order
            .iter()
            .rev()
            .filter_map(|d| self.vertices.get(d))
            .find(|s| !s.completed && !s.name.is_empty())
            .map(|s| s.name.clone())
    }

    /// `engine_gone`: the error is the connection's, not a message the engine sent.
    fn finish(
        mut self,
        builder: Builder,
        error: Option<String>,
        engine_gone: bool,
        duration: Duration,
    ) -> BuildOutcome {
        let mut steps: Vec<Step> = if self.classic.is_empty() {
            merge_twins(self.order.iter().filter_map(|d| self.vertices.remove(d)).collect())
        } else {
            if error.is_none() {
                if let Some(s) = self.classic.last_mut() {
                    s.completed = true;
                }
            }
            self.classic
        };
        let builder = if builder == Builder::Classic { Builder::Classic } else { Builder::BuildKit };
        let failure = error.map(|message| {
            let step = if builder == Builder::Classic {
                steps.len().checked_sub(1)
            } else {
                steps.iter().position(|s| s.error.as_deref().is_some_and(|e| !is_cancellation(e)))
            };
            if builder == Builder::Classic {
                if let Some(i) = step {
                    steps[i].error = Some(message.clone());
                }
            }
            let missing_base = missing_base(&steps, step, &message);
            let infrastructure = if engine_gone {
                Some(Infrastructure::EngineGone(message.clone()))
            } else if missing_base.is_some() || is_uploaded_context_unreadable(&message) {
                // Both read like network failures ("no such host"); each has its own advice.
                None
            } else {
                let output =
                    step.map(|i| format!("{}\n{}", steps[i].log_tail, steps[i].error.as_deref().unwrap_or("")));
                let output = format!("{}\n{message}", output.unwrap_or_default());
                super::network::unreachable_host(&output).map(Infrastructure::Network)
            };
            BuildFailure { message, step, missing_base, infrastructure }
        });
        BuildOutcome { builder, steps, failure, stopped_early: false, duration }
    }
}

/// BuildKit could not fetch the context the grader uploaded: before Docker 27.5, the containerd
/// image store serves the uploaded body (`http://build-context-<id>`) to the graph-driver worker
/// only (moby/moby#47717), so the lookup fails ("no such host", or a proxy's 403).
fn is_uploaded_context_unreadable(message: &str) -> bool {
    message.contains("failed to read downloaded context")
}

/// Newer BuildKit (Docker 28 here) shares a step with a concurrent build that has the same cache
/// key, and reports the other build's vertex, under its own digest, in this build's progress too:
/// one step, two vertices, e.g. `[build 4/6] RUN go mod download` cached in one and never started
/// in the other. Steps are what the checks judge, so vertices of the same name are merged, in
/// first-seen order: cached, started or completed if either was.
fn merge_twins(vertices: Vec<Step>) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::with_capacity(vertices.len());
    for v in vertices {
        match steps.iter_mut().find(|s| !v.name.is_empty() && s.name == v.name) {
            Some(s) => {
                s.cached |= v.cached;
                s.started |= v.started;
                s.completed |= v.completed;
                if s.error.as_deref().is_none_or(is_cancellation) && v.error.is_some() {
                    s.error = v.error;
                }
                if s.log_tail.is_empty() {
                    s.log_tail = v.log_tail;
                }
            }
            None => steps.push(v),
        }
    }
    steps
}

/// The last `n` lines of a log, indented for a message.
fn indent_tail(log: &str, n: usize) -> String {
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

fn is_cancellation(e: &str) -> bool {
    e.contains("context canceled") || e == "canceled"
}

/// Recognises "this base image is not here and could not be pulled".
fn missing_base(steps: &[Step], failed: Option<usize>, message: &str) -> Option<String> {
    if is_uploaded_context_unreadable(message) {
        return None;
    }
    let lower = message.to_lowercase();
    let pull_trouble = [
        "pull access denied",
        "failed to resolve source metadata",
        "failed to do request",
        "no such host",
        "manifest unknown",
        "not found: manifest",
        "repository does not exist",
        "dial tcp",
        "i/o timeout",
        "connection refused",
        "tls handshake timeout",
    ]
    .iter()
    .any(|p| lower.contains(p));
    if !pull_trouble {
        return None;
    }
    // BuildKit's final message names the image it could not resolve: "golang:0.0-x: failed to
    // resolve source metadata for docker.io/library/golang:0.0-x: failed to do request: ...".
    // Trust it before the steps: the metadata steps of the other images run in parallel and,
    // with the containerd image store, fail too ("context canceled", or the registry's own
    // "no such host" for an image that is present locally), in any order.
    if let Some(image) =
        message.split("failed to resolve source metadata for ").nth(1).and_then(|r| r.split(": ").next())
    {
        return Some(short_image_name(image));
    }
    // BuildKit: "[internal] load metadata for docker.io/library/golang:1-trixie", or for the
    // frontend a `# syntax=` directive names: "resolve image config for docker.io/docker/dockerfile:1".
    let errored = |s: &&Step| s.error.as_deref().is_some_and(|e| !is_cancellation(e));
    if let Some(image) = steps.iter().filter(errored).find_map(|s| {
        s.name
            .strip_prefix("[internal] load metadata for ")
            .or_else(|| s.name.strip_prefix("resolve image config for "))
    }) {
        return Some(short_image_name(image));
    }
    // Classic: the failing step is the FROM.
    if let Some(step) = failed.and_then(|i| steps.get(i)) {
        if let Some(p) = step.parsed() {
            if let Some(image) = p.instruction.strip_prefix("FROM ") {
                return Some(image.split_whitespace().next().unwrap_or(image).to_string());
            }
        }
    }
    // The message itself often names the image: "... for golang:1-trixie ...".
    message
        .split_whitespace()
        .map(|w| w.trim_matches(['"', ',']))
        // `context:` or `dockerfile.v0:` is a label in the message, not an image reference.
        .find(|w| w.contains(':') && !w.ends_with(':') && !w.contains("//"))
        .map(str::to_string)
}

/// `docker.io/library/golang:1.27` -> `golang:1.27`, as people write it.
fn short_image_name(image: &str) -> String {
    image.strip_prefix("docker.io/library/").or_else(|| image.strip_prefix("docker.io/")).unwrap_or(image).to_string()
}

fn push_tail(tail: &mut String, text: &str) {
    tail.push_str(text);
    if tail.len() > LOG_TAIL_BYTES {
        let mut cut = tail.len() - LOG_TAIL_BYTES;
        while !tail.is_char_boundary(cut) {
            cut += 1;
        }
        tail.drain(..cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str) -> Step {
        Step { name: name.into(), ..Step::default() }
    }

    #[test]
    fn step_names_parse() {
        let s = step("[builder 3/6] RUN go mod download");
        let p = s.parsed().unwrap();
        assert_eq!((p.stage, p.number, p.total, p.instruction), (Some("builder"), 3, 6, "RUN go mod download"));
        let s = step("[2/3] COPY . .");
        assert_eq!(s.parsed().unwrap().stage, None);
        assert!(step("[internal] load build context").parsed().is_none());
        assert!(step("exporting to image").parsed().is_none());
    }

    #[test]
    fn classic_stream_is_recorded_as_steps() {
        let mut r = Recorder::default();
        for text in [
            "Step 1/3 : FROM golang:1.27\n",
            " ---> 1234\n",
            "Step 2/3 : COPY go.mod .\n",
            " ---> Using cache\n",
            "Step 3/3 : RUN go build\n",
            " ---> Running in ab\n",
            "main.go:3: syntax error\n",
        ] {
            r.take(BuildInfo { stream: Some(text.into()), ..Default::default() });
        }
        let out = r.finish(
            Builder::Classic,
            Some("The command '/bin/sh -c go build' returned a non-zero code: 1".into()),
            false,
            Duration::ZERO,
        );
        assert_eq!(out.steps.len(), 3);
        assert!(out.steps[1].cached && !out.steps[2].cached);
        let f = out.failure.unwrap();
        assert_eq!(f.step, Some(2));
        assert!(out.steps[2].log_tail.contains("syntax error"));
        assert_eq!(f.missing_base, None);
    }

    #[test]
    fn the_probe_step_is_decided_when_cached_or_started() {
        let mut r = Recorder::default();
        for text in ["Step 1/3 : FROM golang:1.27\n", "Step 2/3 : RUN go mod download\n"] {
            r.take(BuildInfo { stream: Some(text.into()), ..Default::default() });
        }
        let name = "[2/3] RUN go mod download";
        assert!(!r.decided(name));
        r.take(BuildInfo { stream: Some(" ---> Running in 0abc\n".into()), ..Default::default() });
        assert!(r.decided(name));
        assert!(!r.decided("[3/3] RUN go mod download"), "another step with the same command is not this one");
    }

    /// One BuildKit vertex message; times in milliseconds of the engine's clock.
    fn vertex(digest: &str, name: &str, cached: bool, started: Option<i64>, completed: Option<i64>) -> BuildInfo {
        use bollard::moby::buildkit::v1::{StatusResponse, Vertex};
        let at = |ms: i64| {
            // (protobuf's Timestamp, which bollard does not re-export by name)
            let mut t = Vertex::default().started.unwrap_or_default();
            t.seconds = ms / 1000;
            t.nanos = ((ms % 1000) * 1_000_000) as i32;
            t
        };
        let v = Vertex {
            digest: digest.into(),
            name: name.into(),
            cached,
            started: started.map(at),
            completed: completed.map(at),
            ..Vertex::default()
        };
        BuildInfo {
            aux: Some(BuildInfoAux::BuildKit(StatusResponse { vertexes: vec![v], ..StatusResponse::default() })),
            ..BuildInfo::default()
        }
    }

    #[test]
    fn a_step_shared_with_an_earlier_build_counts_as_cached() {
        // dockerd 20.10, a cold engine, two gradings at once (the messages as recorded): this
        // probe joined `go mod download` while another build still held it, and was sent that
        // step's past progress (ran, not cached, 10 s before this build began), under the other
        // build's name. The step did not run for this build: it is cached.
        let mut r = Recorder::default();
        r.take(vertex("ctx", "[internal] load remote build context", false, Some(62_055), None));
        r.take(vertex("ctx", "[internal] load remote build context", false, Some(62_055), Some(62_112)));
        r.take(vertex("dl", "[build 4/6] RUN go mod download", false, None, None));
        let name = "[build 4/6] RUN go mod download";
        assert!(!r.decided(name));
        r.take(vertex("wd", "[2/4] WORKDIR /src", false, Some(52_009), Some(52_569)));
        r.take(vertex("dl", "[3/5] RUN go mod download", false, Some(52_600), Some(58_000)));
        assert!(r.decided(name), "the past run decides the probe: the result was there before");
        // This build's own steps still count as they are reported.
        r.take(vertex("cp", "[build 5/6] COPY . .", false, Some(62_300), None));
        let out = r.finish(Builder::BuildKit, None, false, Duration::ZERO);
        let dl = out.steps.iter().find(|s| s.name.ends_with("go mod download")).unwrap();
        assert_eq!(dl.name, name, "the build's own name is kept");
        assert!(dl.cached);
        assert!(out.steps.iter().find(|s| s.name.ends_with("WORKDIR /src")).unwrap().cached);
        let copy = out.steps.iter().find(|s| s.name.ends_with("COPY . .")).unwrap();
        assert!(copy.started && !copy.cached);
    }

    #[test]
    fn a_step_running_for_this_build_is_not_cached_and_cached_stays_cached() {
        let mut r = Recorder::default();
        r.take(vertex("ctx", "[internal] load remote build context", false, Some(1_000), Some(1_050)));
        r.take(vertex("dl", "[build 4/6] RUN go mod download", false, Some(1_200), None));
        assert!(r.decided("[build 4/6] RUN go mod download"));
        r.take(vertex("wd", "[build 2/6] WORKDIR /src", true, Some(1_100), Some(1_100)));
        r.take(vertex("wd", "[build 2/6] WORKDIR /src", false, None, None));
        let out = r.finish(Builder::BuildKit, None, false, Duration::ZERO);
        assert!(!out.steps[1].cached && out.steps[1].started);
        assert!(out.steps[2].cached, "a later message without the flag does not undo a cache hit");
    }

    #[test]
    fn missing_base_is_named_from_the_metadata_step() {
        let mut s = step("[internal] load metadata for docker.io/library/golang:1-trixie");
        s.error = Some("failed to do request: no such host".into());
        let msg = "failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head https://registry-1.docker.io/v2/library/golang/manifests/1.27-trixie: dial tcp: lookup registry-1.docker.io: no such host";
        assert_eq!(missing_base(&[s], None, msg).as_deref(), Some("golang:1-trixie"));
    }

    #[test]
    fn twin_vertices_of_one_step_are_merged() {
        // Docker 28.5, three gradings at once: the probe's own vertex never started, its twin
        // (another build's, same cache key) came from the cache.
        let own = Step { name: "[build 4/6] RUN go mod download".into(), ..Step::default() };
        let twin = Step { cached: true, started: true, ..own.clone() };
        let other = Step { name: "[build 3/6] COPY go.mod ./".into(), cached: true, ..Step::default() };
        let steps = merge_twins(vec![own, other.clone(), twin]);
        assert_eq!(steps.len(), 2);
        assert!(steps[0].cached && steps[0].started && steps[0].name.ends_with("go mod download"));
        assert_eq!(steps[1], other);
    }

    #[test]
    fn an_unreadable_uploaded_context_is_not_a_missing_base() {
        // dockerd 26.1.5, containerd image store, BuildKit, context uploaded as the request body.
        let msg = "failed to read downloaded context: failed to load cache key: Get \"http://build-context-yw4pkx44qgbo52vniadin1xi1\": dial tcp: lookup build-context-yw4pkx44qgbo52vniadin1xi1 on 10.255.255.53:53: no such host";
        let mut s = step("[internal] load remote build context");
        s.error = Some(msg.into());
        assert_eq!(missing_base(&[s], Some(0), msg), None);
        assert!(is_uploaded_context_unreadable(msg));
        assert!(is_uploaded_context_unreadable(
            "failed to read downloaded context: failed to load cache key: invalid response status 403"
        ));
    }

    #[test]
    fn the_missing_base_is_the_one_the_message_names_not_a_cancelled_sibling() {
        // dockerd 28.5, containerd image store: the present image's metadata step was reported
        // first, with an error of its own.
        let msg = "golang:0.0-nonexistent: failed to resolve source metadata for docker.io/library/golang:0.0-nonexistent: failed to do request: Head \"https://registry-1.docker.io/v2/library/golang/manifests/0.0-nonexistent\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host";
        let mut present = step("[internal] load metadata for gcr.io/distroless/static-debian13:nonroot");
        present.error = Some("context canceled".into());
        let mut missing = step("[internal] load metadata for docker.io/library/golang:0.0-nonexistent");
        missing.error = Some("failed to do request: no such host".into());
        assert_eq!(
            missing_base(&[present.clone(), missing.clone()], None, msg).as_deref(),
            Some("golang:0.0-nonexistent")
        );
        present.error = Some("failed to do request: Head \"https://gcr.io/v2/distroless/static-debian13/manifests/nonroot\": dial tcp: lookup gcr.io: no such host".into());
        assert_eq!(missing_base(&[present, missing], None, msg).as_deref(), Some("golang:0.0-nonexistent"));
    }

    #[test]
    fn an_unreachable_syntax_frontend_is_named() {
        // dockerd 20.10, offline, `# syntax=docker/dockerfile:1`.
        let msg = "failed to solve with frontend dockerfile.v0: failed to solve with frontend gateway.v0: failed to do request: Head \"https://registry-1.docker.io/v2/docker/dockerfile/manifests/1\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host";
        let mut s = step("resolve image config for docker.io/docker/dockerfile:1");
        s.error = Some(msg.into());
        assert_eq!(missing_base(&[s], Some(0), msg).as_deref(), Some("docker/dockerfile:1"));
        // Without that step, the message's `dockerfile.v0:` is not taken for an image.
        assert_eq!(missing_base(&[], None, msg), None);
    }

    #[test]
    fn a_failing_run_is_not_a_missing_base() {
        assert_eq!(missing_base(&[], None, "executor failed running [/bin/sh -c make]: exit code: 2"), None);
    }

    #[test]
    fn log_tail_is_bounded_and_keeps_the_end() {
        let mut t = String::new();
        for i in 0..10_000 {
            push_tail(&mut t, &format!("line {i}\n"));
        }
        assert!(t.len() <= LOG_TAIL_BYTES && t.ends_with("line 9999\n"));
    }
}
