//! The stop probe: start the image, wait until it is up, send PID 1 what `docker stop` sends
//! (the image's `STOPSIGNAL`, SIGTERM when it sets none) and time how long it takes to exit,
//! watching a little past the limit to say how slow a slow stop is.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use workbook::spec::{StopCheck, DEFAULT_MEMORY_MB, DEFAULT_PIDS, DEFAULT_TIMEOUT_S};

use super::http::wait_until_answering;
use super::Gathering;
use crate::engine::run::RunRequest;
use crate::engine::Engine;
use crate::facts::probes::signal_name;
use crate::facts::{Measured, NotMeasured, Probe, StopRun};

/// How long past the limit the probe keeps watching, to report how slow a slow stop is.
const GRACE: Duration = Duration::from_secs(5);

pub async fn gather(check: &StopCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    g.show("stop");
    let stop_signal = g.facts.image.as_ref().map(|i| i.config.stop_signal.trim()).filter(|s| !s.is_empty());
    let signal = stop_signal.map_or_else(|| "SIGTERM".to_string(), signal_name);
    g.progress.set_message(format!("running the image, then sending {signal}"));
    let run = run(g.engine, g.image, check, &signal).await?;
    Ok(Some(run.map(|r| Probe::Stop(StopRun { stop_signal: stop_signal.map(str::to_string), ..r }))))
}


/// Runs the image and times its stop; an error only when the engine, not the image, failed.
async fn run(engine: &Engine, image: &str, spec: &StopCheck, signal: &str) -> Result<Measured<StopRun>> {
    let req = RunRequest {
        image: image.to_string(),
        cmd: None,
        env: BTreeMap::new(),
        port: spec.port,
        memory_mb: DEFAULT_MEMORY_MB,
        pids: DEFAULT_PIDS,
        writable_root: false,
    };
    let running = match engine.start(&req, "stop").await? {
        Ok(r) => r,
        Err(e) => return Ok(Err(NotMeasured(format!("the container could not start: {e}")))),
    };
    let result = signal_and_time(engine, &running.id, running.host_port, spec, signal).await;
    engine.remove_container(&running.id).await;
    Ok(result)
}

async fn signal_and_time(
    engine: &Engine,
    id: &str,
    host_port: Option<u16>,
    spec: &StopCheck,
    signal: &str,
) -> Measured<StopRun> {
    let problem = |p: String| Err(NotMeasured(p));
    match (spec.port, host_port) {
        (Some(port), Some(hp)) => {
            if !wait_until_answering(engine, id, hp, &spec.path, Duration::from_secs(DEFAULT_TIMEOUT_S)).await {
                return problem(format!("the app never answered on port {port}, so the probe did not signal it"));
            }
        }
        _ => tokio::time::sleep(Duration::from_secs(2)).await,
    }
    match engine.state(id).await {
        Ok(s) if !s.running => {
            return problem(format!(
                "the container exited (code {}) before it was signalled",
                s.exit_code.unwrap_or(-1)
            ))
        }
        Err(e) => return problem(format!("{e:#}")),
        _ => {}
    }
    if let Err(e) = engine.signal(id, signal).await {
        return problem(format!("{e:#}"));
    }
    let sent = Instant::now();
    let watched = Duration::from_secs(spec.within_s) + GRACE;
    match engine.wait_exit(id, watched).await {
        Ok(Some(code)) => Ok(StopRun {
            signal: signal.to_string(),
            stop_signal: None,
            exited_after_ms: Some(sent.elapsed().as_millis()),
            exit_code: Some(code),
            watched_s: watched.as_secs(),
        }),
        Ok(None) => Ok(StopRun {
            signal: signal.to_string(),
            stop_signal: None,
            exited_after_ms: None,
            exit_code: None,
            watched_s: watched.as_secs(),
        }),
        Err(e) => problem(format!("{e:#}")),
    }
}
