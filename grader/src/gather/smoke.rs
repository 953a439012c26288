//! The smoke run: start the image under limits (memory, processes, every capability dropped,
//! no privilege escalation, bounded time) and probe it over HTTP or by its output. Once the app
//! gives the wanted answer, the spec's identity request (with a nonce picked for this run) asks
//! what only the exercise's app can answer. It records what the container did; `checks::smoke`
//! judges it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use workbook::spec::{IdentityRequest, SmokeCheck, NONCE};

use super::http::{http_get, http_request};
use super::Gathering;
use crate::engine::run::RunRequest;
use crate::engine::Engine;
use crate::facts::{Attempt, IdentityAnswer, Measured, Probe, Seen, SmokeRun};

pub async fn gather(check: &SmokeCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    g.show("smoke");
    g.progress.set_message("running the image");
    Ok(Some(Ok(Probe::Smoke(run(g.engine, g.image, check).await?))))
}

/// Runs `image` as `spec` says and records what it did; an error only when the engine, not the
/// image, failed (it could not run containers, or lost this one).
pub async fn run(engine: &Engine, image: &str, spec: &SmokeCheck) -> Result<SmokeRun> {
    let started = Instant::now();
    let nonce = nonce();
    let env: BTreeMap<String, String> = spec.env.iter().map(|(k, v)| (k.clone(), v.replace(NONCE, &nonce))).collect();
    let req = RunRequest {
        image: image.to_string(),
        cmd: spec.cmd.clone(),
        env: env.clone(),
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
        Some(_) => probe_http(engine, &running.id, running.host_port, spec, &nonce, &env).await,
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

/// A number picked at random for one run: 12 decimal digits, the first not 0 (so it reads the
/// same as a number, a word, a path segment or a JSON value).
fn nonce() -> String {
    (100_000_000_000 + u64::from_le_bytes(crate::random::bytes()) % 900_000_000_000).to_string()
}

/// Polls the app until it gives the answer `spec` waits for (status, body text), it exits, or
/// the time is up; then asks the identity request, if the spec has one (signed with a key from
/// `env`, the container's environment, when the spec says so).
async fn probe_http(
    engine: &Engine,
    id: &str,
    host_port: Option<u16>,
    spec: &SmokeCheck,
    nonce: &str,
    env: &BTreeMap<String, String>,
) -> Result<Seen> {
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
                    let identity = match &spec.identity {
                        Some(i) => Some(ask_identity(engine, host_port, &i.with_nonce(nonce), env, deadline).await),
                        None => None,
                    };
                    return Ok(Seen::Answered { status, body_has_text, identity });
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

/// Sends the identity request (its `{nonce}` already replaced), signed when it says so, and
/// its follow-up once it got the wanted answer. A connection that fails is tried again, at
/// most three times and not past `deadline` (plus one try); any HTTP answer is final.
async fn ask_identity(
    engine: &Engine,
    host_port: u16,
    i: &IdentityRequest,
    env: &BTreeMap<String, String>,
    deadline: Instant,
) -> IdentityAnswer {
    let body = i.body.as_deref().map(|b| (i.content_type.as_str(), b));
    let bytes = i.body.as_deref().unwrap_or_default().as_bytes();
    let headers: Vec<(String, String)> = i.sign.iter().map(|s| super::sign::header(s, env, bytes)).collect();
    // Signed with another key first: the app must refuse it (and so queues nothing).
    let forged = match &i.sign {
        Some(s) if s.forged_status.is_some() => {
            let headers = [super::sign::forged(s, env, bytes)];
            let host = engine.endpoint.probe_host();
            Some(match http_request(&host, host_port, &i.method, &i.path, body, &headers).await {
                Ok((status, _)) => Attempt::Status { status, body_has_text: true },
                Err(e) => Attempt::Error(e),
            })
        }
        _ => None,
    };
    let mut tries = 0;
    let (answer, excerpt) = loop {
        tries += 1;
        match http_request(&engine.endpoint.probe_host(), host_port, &i.method, &i.path, body, &headers).await {
            Ok((status, text)) => {
                let excerpt = excerpt(&text);
                break (Attempt::Status { status, body_has_text: text.contains(&i.body_contains) }, excerpt);
            }
            Err(e) if tries >= 3 || Instant::now() >= deadline => break (Attempt::Error(e), String::new()),
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    };
    let wanted = matches!(answer, Attempt::Status { status, body_has_text: true } if status == i.status.unwrap_or(200));
    let then = match &i.then {
        Some(then) if wanted => Some(Box::new(Box::pin(ask_identity(engine, host_port, then, env, deadline)).await)),
        _ => None,
    };
    IdentityAnswer {
        request: format!("{} {}", i.method, i.path),
        body: i.body.clone(),
        signed_with: i.sign.as_ref().map(|s| s.key_env.clone()),
        forged,
        wanted: i.body_contains.clone(),
        answer,
        excerpt,
        then,
    }
}

/// The start of an answer's text for the report: the tags of an HTML page left out, whitespace
/// runs made one space, at most 120 characters.
fn excerpt(body: &str) -> String {
    let html = body.trim_start().starts_with('<');
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' if html => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(120).collect()
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

#[cfg(test)]
mod tests {
    #[test]
    fn nonces_are_twelve_digits_and_new_each_time() {
        let all: std::collections::HashSet<String> = (0..100).map(|_| super::nonce()).collect();
        assert_eq!(all.len(), 100);
        assert!(all.iter().all(|n| n.len() == 12 && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())));
    }

    #[test]
    fn excerpts_leave_html_tags_out() {
        let page = "<html>\n<head><title>Error response</title></head>\n<body><p>Message: Unsupported method ('POST').</p></body>";
        assert_eq!(super::excerpt(page), "Error response Message: Unsupported method ('POST').");
        assert_eq!(super::excerpt(&"a ".repeat(200)).len(), 120);
        assert_eq!(super::excerpt("{\"a\": 1 < 2}"), "{\"a\": 1 < 2}");
    }
}
