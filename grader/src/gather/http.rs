//! The grader's HTTP client for probes: one HTTP/1.0 request (a GET, or the smoke check's
//! identity request) against a port the engine published
//! (on 127.0.0.1, or on a remote engine's host: `EngineAddress::probe_host`), and a wait until
//! an app answers at all. Bounded in time and size.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::engine::Engine;

/// Polls `path` until the app answers with any HTTP status; false when it exits or the time is up.
pub async fn wait_until_answering(engine: &Engine, id: &str, host_port: u16, path: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if http_get(&engine.endpoint.probe_host(), host_port, path).await.is_ok() {
            return true;
        }
        if engine.state(id).await.map(|s| !s.running).unwrap_or(true) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// A minimal HTTP/1.0 GET against `host:port`; the status code and body.
pub async fn http_get(host: &str, port: u16, path: &str) -> Result<(u16, String), String> {
    http_request(host, port, "GET", path, None, &[]).await
}

/// A minimal HTTP/1.0 request against `host:port`, with a body (`(content type, text)`) and
/// extra headers (`(name, value)`) when given; the status code and body (at most 1 MiB read,
/// within 3 s).
pub async fn http_request(
    host: &str,
    port: u16,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
    headers: &[(String, String)],
) -> Result<(u16, String), String> {
    let io = async {
        let mut s = tokio::net::TcpStream::connect((host, port)).await.map_err(|e| format!("connect: {e}"))?;
        let mut req =
            format!("{method} {path} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: grader\r\nConnection: close\r\n");
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some((content_type, text)) = body {
            req.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", text.len()));
        }
        req.push_str("\r\n");
        req.push_str(body.map_or("", |(_, text)| text));
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
