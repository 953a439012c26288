//! wordstat: a tiny HTTP service that counts the words of a text.
//!
//! `GET /healthz` answers `ok`; `POST /stats?top=N` takes text and answers JSON statistics.

mod stats;

use std::io::Read;

use tiny_http::{Header, Method, Request, Response, Server};

/// Bodies larger than this are refused (413).
const MAX_BODY: u64 = 1 << 20;

/// A response before it is written: status, content type and body.
#[derive(Debug, PartialEq)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply { status, content_type: "text/plain; charset=utf-8", body: body.to_string() }
    }
    fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply { status, content_type: "application/json", body: body.to_string() }
    }
}

/// Routes a request; `url` is the path with its query string.
fn route(method: &Method, url: &str, body: &str) -> Reply {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    match (method, path) {
        (Method::Get, "/healthz") => Reply::text(200, "ok\n"),
        (Method::Post, "/stats") => {
            let top = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("top="))
                .map_or(Ok(10), str::parse::<usize>);
            match top {
                Ok(n) if n <= 100 => Reply::json(200, stats::word_stats(body, n)),
                _ => Reply::json(400, serde_json::json!({"error": "top must be a number from 0 to 100"})),
            }
        }
        (_, "/healthz" | "/stats") => Reply::text(405, "method not allowed\n"),
        _ => Reply::text(404, "not found\n"),
    }
}

fn handle(mut request: Request) -> std::io::Result<()> {
    let mut body = String::new();
    let reply = match request.as_reader().take(MAX_BODY + 1).read_to_string(&mut body) {
        Ok(n) if n as u64 > MAX_BODY => Reply::text(413, "body too large\n"),
        Ok(_) => route(request.method(), request.url(), &body),
        Err(_) => Reply::text(400, "the body is not UTF-8 text\n"),
    };
    let header = Header::from_bytes("Content-Type", reply.content_type).expect("a valid header");
    request.respond(Response::from_string(reply.body).with_status_code(reply.status).with_header(header))
}

fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_string());
    let addr = format!("0.0.0.0:{port}");
    let server = Server::http(&addr).unwrap_or_else(|e| {
        eprintln!("wordstat: cannot listen on {addr}: {e}");
        std::process::exit(1);
    });
    eprintln!("wordstat listening on {addr}");
    for request in server.incoming_requests() {
        if let Err(e) = handle(request) {
            eprintln!("wordstat: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_check_answers_ok() {
        assert_eq!(route(&Method::Get, "/healthz", ""), Reply::text(200, "ok\n"));
    }

    #[test]
    fn stats_honours_top() {
        let r = route(&Method::Post, "/stats?top=1", "b a b");
        assert_eq!(r.status, 200);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["top"], serde_json::json!([{"word": "b", "count": 2}]));
    }

    #[test]
    fn bad_requests_are_refused() {
        assert_eq!(route(&Method::Post, "/stats?top=many", "x").status, 400);
        assert_eq!(route(&Method::Get, "/stats", "").status, 405);
        assert_eq!(route(&Method::Get, "/nope", "").status, 404);
    }
}
