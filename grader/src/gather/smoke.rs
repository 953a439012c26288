//! The smoke run: start the image under limits (memory, processes, every capability dropped,
//! no privilege escalation, bounded time) and probe it over HTTP or by its output.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::engine::run::RunRequest;
use crate::engine::Engine;
use crate::facts::SmokeResult;
use workbook::spec::SmokeCheck;

pub async fn run(engine: &Engine, image: &str, spec: &SmokeCheck) -> SmokeResult {
    let started = Instant::now();
    let req = RunRequest {
        image: image.to_string(),
        cmd: spec.cmd.clone(),
        env: spec.env.clone(),
        port: spec.port,
        memory_mb: spec.memory_mb,
        pids: spec.pids,
    };
    let (passed, summary, id) = match engine.start(&req, "smoke").await {
        Err(message) => (false, format!("the container could not start: {message}"), None),
        Ok(running) => {
            let (passed, summary) = match spec.port {
                Some(port) => probe_http(engine, &running.id, running.host_port, port, spec).await,
                None => probe_exit(engine, &running.id, spec).await,
            };
            (passed, summary, Some(running.id))
        }
    };
    let mut logs = String::new();
    if let Some(id) = id {
        if !passed {
            logs = engine.logs_tail(&id, 20).await;
        }
        engine.remove_container(&id).await;
    }
    SmokeResult { passed, summary, logs, elapsed_ms: started.elapsed().as_millis() }
}

async fn probe_http(engine: &Engine, id: &str, host_port: Option<u16>, port: u16, spec: &SmokeCheck) -> (bool, String) {
    let Some(host_port) = host_port else {
        // No published port: most often the container exited at once.
        return match engine.state(id).await {
            Ok(s) if !s.running => (
                false,
                format!("the container exited with code {} before answering on port {port}", s.exit_code.unwrap_or(-1)),
            ),
            _ => (false, format!("port {port} could not be published")),
        };
    };
    let want = spec.status.unwrap_or(200);
    let deadline = Instant::now() + Duration::from_secs(spec.timeout_s);
    let mut last: String;
    loop {
        match engine.state(id).await {
            Ok(s) if !s.running => {
                let why = if s.oom_killed { " (killed: out of memory)".to_string() } else { String::new() };
                return (
                    false,
                    format!(
                        "the container exited with code {}{why} before answering on port {port}",
                        s.exit_code.unwrap_or(-1)
                    ),
                );
            }
            Err(e) => return (false, format!("the container vanished: {e:#}")),
            _ => {}
        }
        match http_get(host_port, &spec.path).await {
            Ok((status, body)) => {
                let body_ok = spec.body_contains.as_deref().is_none_or(|b| body.contains(b));
                if status == want && body_ok {
                    return (true, format!("GET {} answered {status} on port {port}", spec.path));
                }
                last = match (&spec.body_contains, status == want) {
                    (Some(b), true) => format!("answered {status} but the body lacks `{b}`"),
                    _ => format!("answered {status}, expected {want}"),
                };
            }
            Err(e) => last = e,
        }
        if Instant::now() >= deadline {
            return (
                false,
                format!("GET {} on port {port}: no good answer within {} s ({last})", spec.path, spec.timeout_s),
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn probe_exit(engine: &Engine, id: &str, spec: &SmokeCheck) -> (bool, String) {
    let want = spec.status.unwrap_or(0) as i64;
    match engine.wait_exit(id, Duration::from_secs(spec.timeout_s)).await {
        Err(e) => (false, format!("the container vanished: {e:#}")),
        Ok(None) => (false, format!("the command did not finish within {} s", spec.timeout_s)),
        Ok(Some(code)) if code != want => (false, format!("the command exited with {code}, expected {want}")),
        Ok(Some(code)) => match &spec.body_contains {
            Some(text) if !engine.logs_tail(id, 200).await.contains(text.as_str()) => {
                (false, format!("the command exited with {code} but its output lacks `{text}`"))
            }
            _ => (true, format!("the command exited with {code}")),
        },
    }
}

/// Polls `path` until the app answers with any HTTP status; false when it exits or the time is up.
pub async fn wait_until_answering(engine: &Engine, id: &str, host_port: u16, path: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if http_get(host_port, path).await.is_ok() {
            return true;
        }
        if engine.state(id).await.map(|s| !s.running).unwrap_or(true) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// A minimal HTTP/1.0 GET against 127.0.0.1; the status code and body.
async fn http_get(port: u16, path: &str) -> Result<(u16, String), String> {
    let io = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("connect: {e}"))?;
        let req = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: grader\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.map_err(|e| format!("send: {e}"))?;
        let mut buf = Vec::new();
        s.take(1 << 20).read_to_end(&mut buf).await.map_err(|e| format!("receive: {e}"))?;
        Ok::<_, String>(buf)
    };
    let buf =
        tokio::time::timeout(Duration::from_secs(3), io).await.map_err(|_| "no answer within 3 s".to_string())??;
    let text = String::from_utf8_lossy(&buf);
    let status =
        text.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|c| c.parse().ok()).ok_or_else(
            || {
                if text.is_empty() {
                    "connection closed without an answer".to_string()
                } else {
                    "not an HTTP answer".to_string()
                }
            },
        )?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}
