//! The stop probe: start the image, wait until it is up, send SIGTERM to PID 1 and time how
//! long it takes to exit.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::engine::run::RunRequest;
use crate::engine::Engine;
use crate::facts::StopResult;
use workbook::spec::StopCheck;

/// How long past the limit the probe keeps watching, to report how slow a slow stop is.
const GRACE: Duration = Duration::from_secs(5);

pub async fn run(engine: &Engine, image: &str, spec: &StopCheck) -> StopResult {
    let req = RunRequest {
        image: image.to_string(),
        cmd: None,
        env: BTreeMap::new(),
        port: spec.port,
        memory_mb: 256,
        pids: 128,
    };
    let running = match engine.start(&req, "stop").await {
        Ok(r) => r,
        Err(e) => {
            return StopResult {
                exited_after_ms: None,
                exit_code: None,
                problem: Some(format!("the container could not start: {e}")),
            }
        }
    };
    let result = signal_and_time(engine, &running.id, running.host_port, spec).await;
    engine.remove_container(&running.id).await;
    result
}

async fn signal_and_time(engine: &Engine, id: &str, host_port: Option<u16>, spec: &StopCheck) -> StopResult {
    let problem = |p: String| StopResult { exited_after_ms: None, exit_code: None, problem: Some(p) };
    match (spec.port, host_port) {
        (Some(port), Some(hp)) => {
            if !super::smoke::wait_until_answering(engine, id, hp, &spec.path, Duration::from_secs(20)).await {
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
    if let Err(e) = engine.signal(id, "SIGTERM").await {
        return problem(format!("{e:#}"));
    }
    let sent = Instant::now();
    match engine.wait_exit(id, Duration::from_secs(spec.within_s) + GRACE).await {
        Ok(Some(code)) => {
            StopResult { exited_after_ms: Some(sent.elapsed().as_millis()), exit_code: Some(code), problem: None }
        }
        Ok(None) => StopResult { exited_after_ms: None, exit_code: None, problem: None },
        Err(e) => problem(format!("{e:#}")),
    }
}
