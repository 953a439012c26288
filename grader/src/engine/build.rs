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
use super::netcheck::NetCheck;
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
    /// retry: registries and proxies fail under load, and that is never the learner's result),
    /// unless a check from the engine's side ([`Engine::check_network`]) found the network
    /// working after both failures: the step's failure is then the learner's.
    pub async fn build(&self, req: &BuildRequest<'_>, progress: &ProgressBar) -> Result<BuildOutcome> {
        let mut outcome = self.build_choosing_builder(req, progress).await?;
        let mut first_check = None;
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
                    // The step's output is the learner's to write: the claim is checked from the
                    // engine's side, after each failure. A failure the network really caused
                    // (registries time out under load) gets its retry either way; one that comes
                    // back while the network answers both times is the step's own.
                    let port = step.and_then(|s| super::diagnose::network::port_of(&s.log_tail, &host));
                    let checked = self.check_network(&host, port).await;
                    let what = if host.is_empty() { "the network".to_string() } else { host };
                    if attempt == 2 {
                        let check = match (&checked, &first_check) {
                            (NetCheck::Works(answered), Some(NetCheck::Works(_))) => {
                                let failure = outcome.failure.as_mut().expect("a failure was diagnosed");
                                failure.infrastructure = None;
                                failure.message = format!(
                                    "{}\nThe step's output reads like a network failure, but it failed twice while the \
                                     grader, checking the network from the engine each time, found it working \
                                     ({answered}): the step failed on its own.",
                                    failure.message.trim_end()
                                );
                                return Ok(outcome);
                            }
                            (NetCheck::Down(why), _) => format!("The grader checked from the engine: {why}.\n"),
                            (NetCheck::NotChecked(why), _) => {
                                format!("The grader could not check the network from the engine ({why}).\n")
                            }
                            (NetCheck::Works(answered), _) => {
                                format!(
                                    "The grader's check from the engine found it down after the first failure, and \
                                     working after the second ({answered}).\n"
                                )
                            }
                        };
                        return Err(crate::error::advice(format!(
                            "could not grade: the build could not reach {what}{during}, twice.\n{check}\
                             This is a network problem, not your Dockerfile: check the connection (or the \
                             proxy, and the engine's DNS), then grade again. The last lines of the step:\n{}",
                            step.map(|s| indent_tail(&s.log_tail, 8)).unwrap_or_default()
                        )));
                    }
                    first_check = Some(checked);
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
            let next = tokio::time::timeout_at(deadline, stream.next()).await;
            let Ok(next) = next else {
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
                Err(e) if is_unread_line_end(&e) => break,
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
                if let Some(maybe_last) = rec.uncached_work() {
                    stopped_early = true;
                    if maybe_last {
                        self.stopped_a_build(Instant::now());
                    }
                    break;
                }
            }
        }
        // Dropping the stream closes the request and the session: the engine cancels the build
        // during the work it is doing (see `Recorder::uncached_work`, and cleanup for the cases
        // where it may still finish and tag the image).
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
        // The classic builder leaves an untagged image per step. Those of a probe's edited
        // files, and the LABEL steps it appends for the run's labels, can serve no other build:
        // they go with the run (a 1 GB context's `COPY . .` was left behind by every grading).
        let own = |s: &&crate::facts::build::Step| req.throwaway || is_run_label_step(s);
        self.register_intermediates(
            outcome.steps.iter().filter(own).filter_map(|s| s.committed_image().map(str::to_string)),
        );
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

/// A `LABEL` step the classic builder appended for the build's labels: its value is this run's.
fn is_run_label_step(step: &crate::facts::build::Step) -> bool {
    step.parsed().is_some_and(|p| {
        let label = p.instruction.strip_prefix("LABEL ").unwrap_or("").trim_start_matches('"');
        label.starts_with(super::RUN_LABEL)
    })
}

/// bollard 0.21 reads the build's JSON lines with a decoder that has no end-of-stream rule of
/// its own: when the engine's last message arrives in one read and its `\r\n` in the next, the
/// message is decoded but the lone `\r` stays in the buffer, and the stream then ends with this
/// error instead of ending (seen in CI on fully cached builds of ex5 and ex8). Every message has
/// been delivered by then, so this is the end of the stream, not an engine going away: an
/// engine that dies mid-build closes the connection before its chunked body is finished, which
/// is a hyper error (both cases are in the tests below). Whether the image exists is still
/// checked after the stream ends.
fn is_unread_line_end(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::IOError { err } if err.to_string() == "bytes remaining on stream")
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bollard::query_parameters::BuildImageOptionsBuilder;
    use futures_util::StreamExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::is_unread_line_end;

    const CONTEXT_LEN: usize = 1024;

    /// An engine stand-in on a Unix socket that answers one build request with `chunks` (each an
    /// HTTP chunk, written `pause` apart so that each is its own read), then ends the body
    /// properly (`finish`) or closes the connection in the middle of it, as a dying engine does.
    async fn answer_build_with(
        chunks: &'static [&'static str],
        pause: Duration,
        finish: bool,
    ) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.sock");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            // The request: headers, then the context (CONTEXT_LEN bytes, sent with a Content-Length).
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            let complete = |seen: &[u8]| {
                memchr::memmem::find(seen, b"\r\n\r\n").is_some_and(|end| seen.len() >= end + 4 + CONTEXT_LEN)
            };
            while !complete(&seen) {
                let n = conn.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
            }
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            conn.write_all(head.as_bytes()).await.unwrap();
            for chunk in chunks {
                conn.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes()).await.unwrap();
                conn.flush().await.unwrap();
                tokio::time::sleep(pause).await;
            }
            if finish {
                conn.write_all(b"0\r\n\r\n").await.unwrap();
            }
        });
        let address = format!("unix://{}", path.display());
        (dir, address)
    }

    async fn build_messages(address: &str) -> Vec<Result<String, bollard::errors::Error>> {
        let docker = bollard::Docker::connect_with_unix(address, 10, bollard::API_DEFAULT_VERSION).unwrap();
        let context = bytes::Bytes::from_static(&[0u8; CONTEXT_LEN]);
        let opts = BuildImageOptionsBuilder::default().t("grader/split:test").build();
        let stream = docker.build_image(opts, None, Some(bollard::body_full(context)));
        stream.map(|m| m.map(|info| info.stream.unwrap_or_default())).collect().await
    }

    #[tokio::test]
    async fn a_last_message_whose_line_end_comes_in_a_read_of_its_own_ends_the_stream() {
        let chunks = &["{\"stream\":\"one\"}\r\n", "{\"stream\":\"two\"}", "\r\n"];
        let (_dir, address) = answer_build_with(chunks, Duration::from_millis(100), true).await;
        let got = build_messages(&address).await;
        // Both messages arrive, then bollard's decoder reports the `\r` it kept.
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].as_ref().unwrap(), "one");
        assert_eq!(got[1].as_ref().unwrap(), "two");
        let end = got[2].as_ref().unwrap_err();
        assert!(is_unread_line_end(end), "bollard ends this stream differently now: {end:?}");
    }

    #[tokio::test]
    async fn an_engine_that_closes_the_connection_mid_message_is_not_taken_for_the_end() {
        let chunks = &["{\"stream\":\"one\"}\r\n", "{\"stream\":\"tw"];
        let (_dir, address) = answer_build_with(chunks, Duration::from_millis(100), false).await;
        let got = build_messages(&address).await;
        assert_eq!(got[0].as_ref().unwrap(), "one", "{got:?}");
        let end = got.last().unwrap().as_ref().unwrap_err();
        assert!(!is_unread_line_end(end), "a cut body was taken for the end of the build: {end:?}");
    }
}
