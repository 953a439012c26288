//! The smoke run: start the image under limits (memory, processes, every capability dropped,
//! no privilege escalation, bounded time) and probe it over HTTP or by its output. It records
//! what the container did; `checks::smoke` judges it.

use std::time::{Duration, Instant};

use anyhow::Result;
use workbook::spec::SmokeCheck;

use super::http::http_get;
use super::Gathering;
use crate::engine::run::RunRequest;
use crate::engine::Engine;
use crate::facts::{Attempt, Measured, Probe, Seen, SmokeRun};

pub async fn gather(check: &SmokeCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    g.show("smoke");
    g.progress.set_message("running the image");
    Ok(Some(Ok(Probe::Smoke(run(g.engine, g.image, check).await?))))
}

/// Runs `image` as `spec` says and records what it did; an error only when the engine, not the
/// image, failed (it could not run containers, or lost this one).
pub async fn run(engine: &Engine, image: &str, spec: &SmokeCheck) -> Result<SmokeRun> {
    let started = Instant::now();
    let req = RunRequest {
        image: image.to_string(),
        cmd: spec.cmd.clone(),
        env: spec.env.clone(),
        port: spec.port,
        memory_mb: spec.memory_mb,
        pids: spec.pids,
        writable_root: spec.writable_root,
    };
    let running = match engine.start(&req, "smoke").await? {
        Ok(running) => running,
        Err(message) => {
            let elapsed_ms = started.elapsed().as_millis();
            return Ok(SmokeRun { seen: Seen::NotStarted(message), logs: String::new(), elapsed_ms });
        }
    };
    let seen = match spec.port {
        Some(_) => probe_http(engine, &running.id, running.host_port, spec).await,
        None => probe_exit(engine, &running.id, spec).await,
    };
    let seen = match seen {
        Ok(seen) => seen,
        Err(e) => {
            engine.remove_container(&running.id).await;
            return Err(e);
        }
    };
    let elapsed_ms = started.elapsed().as_millis();
    let logs = engine.logs_tail(&running.id, 20).await;
    engine.remove_container(&running.id).await;
    Ok(SmokeRun { seen, logs, elapsed_ms })
}

/// The engine lost a container it had started: the engine's trouble, not the image's.
fn vanished(engine: &Engine, e: anyhow::Error) -> anyhow::Error {
    crate::error::advice(format!(
        "could not grade: the Docker engine at {} lost the smoke-run container ({e:#}). This is not your \
         Dockerfile's fault: check the engine (`grader doctor`), then grade again.",
        engine.address
    ))
}

/// Polls the app until it gives the answer `spec` waits for (status, body text), it exits, or
/// the time is up.
async fn probe_http(engine: &Engine, id: &str, host_port: Option<u16>, spec: &SmokeCheck) -> Result<Seen> {
    let Some(host_port) = host_port else {
        // No published port: most often the container exited at once.
        return Ok(match engine.state(id).await {
            Ok(s) if !s.running => Seen::ExitedUnpublished(s.exit_code.unwrap_or(-1)),
            _ => Seen::Unpublished,
        });
    };
    let want = spec.status.unwrap_or(200);
    let deadline = Instant::now() + Duration::from_secs(spec.timeout_s);
    let mut last: Attempt;
    // First tries close together (most apps listen within tens of milliseconds), then further
    // apart: responsive without keeping the engine and the app busy.
    let mut pause = Duration::from_millis(10);
    loop {
        match engine.state(id).await {
            Ok(s) if !s.running => {
                return Ok(Seen::ExitedEarly { code: s.exit_code.unwrap_or(-1), oom_killed: s.oom_killed })
            }
            Err(e) => return Err(vanished(engine, e)),
            _ => {}
        }
        match http_get(&engine.endpoint.probe_host(), host_port, &spec.path).await {
            Ok((status, body)) => {
                let body_has_text = spec.body_contains.as_deref().is_none_or(|b| body.contains(b));
                if status == want && body_has_text {
                    return Ok(Seen::Answered { status, body_has_text });
                }
                last = Attempt::Status { status, body_has_text };
            }
            Err(e) => last = Attempt::Error(e),
        }
        if Instant::now() >= deadline {
            return Ok(Seen::NoGoodAnswer(last));
        }
        tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now()))).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

/// Waits for the command to finish and reads its output when `spec` wants a text in it.
async fn probe_exit(engine: &Engine, id: &str, spec: &SmokeCheck) -> Result<Seen> {
    Ok(match engine.wait_exit(id, Duration::from_secs(spec.timeout_s)).await {
        Err(e) => return Err(vanished(engine, e)),
        Ok(None) => Seen::StillRunning,
        Ok(Some(code)) => {
            let output_has_text = match &spec.body_contains {
                Some(text) => Some(engine.logs_tail(id, 200).await.contains(text.as_str())),
                None => None,
            };
            Seen::Exited { code, output_has_text }
        }
    })
}
