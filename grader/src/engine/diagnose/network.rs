//! Recognises a build step that failed because the network failed, not because of the learner's
//! Dockerfile: a package registry that could not be resolved, connected to or finished talking
//! to (apt, pip, npm, go, cargo, curl, git messages as they print them). The output is only a
//! claim (the learner writes it): `engine::netcheck` checks it from the engine's side, and only
//! when the network is not found working is the build retried once and then reported as "could
//! not grade" (exit 2), never as a failed check.
//!
//! Only the failed step's own output is read, and only its last lines, so a program that merely
//! logs a word like "timeout" earlier in a successful part of its output is not taken for one.

/// Phrases that only a failed network operation prints, lower-cased.
const SIGNS: &[&str] = &[
    "could not resolve host",
    "couldn't resolve host",
    "temporary failure resolving",
    "temporary failure in name resolution",
    "name or service not known",
    "no such host",
    "getaddrinfo enotfound",
    "getaddrinfo eai_again",
    "eai_again",
    "etimedout",
    "econnrefused",
    "econnreset",
    "enetunreach",
    "ehostunreach",
    "connection refused",
    "connection timed out",
    "connection reset by peer",
    "network is unreachable",
    "no route to host",
    "i/o timeout",
    "tls handshake timeout",
    "failed to establish a new connection",
    "max retries exceeded with url",
    "read timed out",
    "spurious network error",
    "timeout was reached",
    "failed to connect to",
    "unable to connect to",
    "could not connect to",
    "ssl: certificate_verify_failed",
    "certificate verify failed",
    "x509: certificate signed by unknown authority",
    "request to http",
];

/// How many of the failed step's last lines are read.
const LINES: usize = 40;

/// The host a failed step could not reach, when its output shows a network failure: `Some(host)`,
/// or `Some("")` when the output shows the failure but names no host.
pub fn unreachable_host(output: &str) -> Option<String> {
    let lines: Vec<&str> = output.lines().collect();
    let tail = &lines[lines.len().saturating_sub(LINES)..];
    let mut seen = false;
    for line in tail.iter().rev() {
        let lower = line.to_lowercase();
        if SIGNS.iter().any(|s| lower.contains(s)) {
            seen = true;
            if let Some(h) = host_in(line) {
                return Some(h);
            }
        }
    }
    if !seen {
        return None;
    }
    // A sign without a host on its line: the host is often on a neighbouring line (pip, npm).
    Some(tail.iter().rev().find_map(|l| host_in(l)).unwrap_or_default())
}

/// A host name named by one line in one of the usual shapes.
fn host_in(line: &str) -> Option<String> {
    let after = |marker: &str| -> Option<&str> {
        let i = line.to_lowercase().find(&marker.to_lowercase())?;
        Some(&line[i + marker.len()..])
    };
    let word = |s: &str| -> Option<String> {
        let w: String = s
            .trim_start_matches(['\'', '"', '`', ' ', '('])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'))
            .collect();
        let w = w.trim_end_matches(['.', ':']).to_string();
        // A host has a dot (or is localhost / an address); a bare word is something else.
        (w.contains('.') || w.starts_with("localhost") || w.starts_with('[')).then_some(w)
    };
    let url_host = |s: &str| -> Option<String> {
        let rest = s.split_once("://")?.1;
        let host: String = rest.chars().take_while(|c| !matches!(c, '/' | ' ' | '\'' | '"' | ')' | ',')).collect();
        let host = host.rsplit('@').next().unwrap_or(&host).to_string();
        word(&host)
    };
    for m in [
        "could not resolve host:",
        "temporary failure resolving",
        "failed to connect to",
        "unable to connect to",
        "could not connect to",
        "getaddrinfo enotfound",
        "getaddrinfo eai_again",
        "lookup ",
        "dial tcp ",
        "connectionpool(host=",
    ] {
        if let Some(h) = after(m).and_then(word) {
            return Some(strip_port(&h));
        }
    }
    // npm: "request to https://registry.npmjs.org/x failed", apt: "Failed to fetch http://…",
    // git: "unable to access 'https://…'", cargo: "failed to download from `https://…`".
    if let Some(i) = line.find("://") {
        let start = line[..i].rfind(|c: char| !c.is_ascii_alphabetic()).map(|p| p + 1).unwrap_or(0);
        if let Some(h) = url_host(&line[start..]) {
            return Some(strip_port(&h));
        }
    }
    None
}

/// The port the step's output says it tried on `host`, in the usual shapes: curl's
/// `Failed to connect to HOST port 9`, `dial tcp HOST:443`, `HOST:8080`, `https://HOST:8443/`.
pub fn port_of(output: &str, host: &str) -> Option<u16> {
    if host.is_empty() {
        return None;
    }
    let digits = |s: &str| -> Option<u16> {
        let d: String = s.chars().take_while(char::is_ascii_digit).collect();
        d.parse().ok().filter(|p| *p > 0)
    };
    for line in output.lines().rev().filter(|l| l.contains(host)) {
        for (i, _) in line.match_indices(host) {
            let after = &line[i + host.len()..];
            if let Some(p) = after.strip_prefix(':').and_then(digits) {
                return Some(p);
            }
            if let Some(p) = after.strip_prefix(" port ").and_then(digits) {
                return Some(p);
            }
        }
    }
    None
}

/// `registry.npmjs.org:443` -> `registry.npmjs.org`; `[::1]:80` -> `[::1]`.
fn strip_port(host: &str) -> String {
    if host.starts_with('[') {
        return host.split(']').next().map(|h| format!("{h}]")).unwrap_or_else(|| host.to_string());
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => h.to_string(),
        _ => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::unreachable_host;

    #[test]
    fn package_managers_as_they_fail() {
        let cases = [
            ("curl: (6) Could not resolve host: example.invalid", "example.invalid"),
            ("curl: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server", "127.0.0.1"),
            ("Err:1 http://deb.debian.org/debian trixie InRelease\n  Temporary failure resolving 'deb.debian.org'", "deb.debian.org"),
            ("npm error code ETIMEDOUT\nnpm error network request to https://registry.npmjs.org/express failed, reason: ETIMEDOUT", "registry.npmjs.org"),
            ("npm ERR! code EAI_AGAIN\nnpm ERR! request to https://registry.npmjs.org/x failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org", "registry.npmjs.org"),
            ("WARNING: Retrying (Retry(total=0)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object>: Failed to establish a new connection: [Errno 111] Connection refused')': /simple/flask/\nERROR: Could not find a version that satisfies the requirement flask\nHTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: /simple/flask/", "pypi.org"),
            ("go: github.com/x/y@v1.0.0: Get \"https://proxy.golang.org/github.com/x/y/@v/v1.0.0.mod\": dial tcp: lookup proxy.golang.org on 10.0.0.1:53: no such host", "proxy.golang.org"),
            ("go: downloading x\ngo: x: Get \"https://proxy.golang.org/x\": dial tcp 142.250.1.1:443: i/o timeout", "142.250.1.1"),
            ("error: failed to download from `https://index.crates.io/config.json`\n\nCaused by:\n  [6] Couldn't resolve host name (Could not resolve host: index.crates.io)", "index.crates.io"),
            ("fatal: unable to access 'https://github.com/org/repo.git/': Could not resolve host: github.com", "github.com"),
        ];
        for (log, host) in cases {
            assert_eq!(unreachable_host(log).as_deref(), Some(host), "{log}");
        }
    }

    #[test]
    fn the_port_tried_is_read_when_the_output_names_it() {
        use super::port_of;
        let curl = "curl: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server";
        assert_eq!(port_of(curl, "127.0.0.1"), Some(9));
        assert_eq!(port_of("dial tcp 142.250.1.1:443: i/o timeout", "142.250.1.1"), Some(443));
        assert_eq!(port_of("request to https://registry.npmjs.org/x failed", "registry.npmjs.org"), None);
        assert_eq!(port_of("Could not resolve host: example.invalid", ""), None);
    }

    #[test]
    fn a_network_failure_without_a_host_is_still_one() {
        assert_eq!(unreachable_host("error: Network is unreachable").as_deref(), Some(""));
    }

    #[test]
    fn the_learners_own_failures_are_not_network_failures() {
        for log in [
            "main.go:5:2: undefined: fmt.Printn",
            "/bin/sh: 1: go: not found",
            "npm error code ENOENT\nnpm error path /app/package.json",
            "E: Unable to locate package pyhton3",
            "error[E0425]: cannot find value `x` in this scope",
            "FAIL\tgreeter\t0.002s\n--- FAIL: TestGreeting (0.00s)",
            "ERROR: No matching distribution found for flsk",
        ] {
            assert_eq!(unreachable_host(log), None, "{log}");
        }
    }

    #[test]
    fn only_the_last_lines_count() {
        let mut log = String::from("curl: (6) Could not resolve host: early.example\n");
        for i in 0..60 {
            log.push_str(&format!("line {i}\n"));
        }
        log.push_str("make: *** [all] Error 2\n");
        assert_eq!(unreachable_host(&log), None);
    }
}
