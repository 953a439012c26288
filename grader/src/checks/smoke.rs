//! `smoke`: the image still works under limits. The smoke run recorded what the container did
//! (answered, exited, never started); this judges it against what the spec wants.

use super::{Cx, Finding};
use crate::facts::{Attempt, Seen, SmokeRun};
use workbook::spec::SmokeCheck;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &SmokeCheck, cx: &Cx<'_>) -> Finding {
    match cx.probe::<SmokeRun>() {
        Ok(run) => check(spec, run),
        Err(not_measured) => not_measured,
    }
}

pub fn check(spec: &SmokeCheck, run: Option<&SmokeRun>) -> Finding {
    let Some(r) = run else { return Finding::not_measured("the smoke run did not happen") };
    match verdict(spec, &r.seen) {
        (true, summary) => Finding::pass(format!("{summary} ({:.1} s)", r.elapsed_ms as f64 / 1000.0)),
        (false, summary) => {
            let logs: Vec<String> =
                r.logs.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("log: {l}")).collect();
            Finding::fail(summary).with_details(logs)
        }
    }
}

/// Whether what the container did is what `spec` wants, and one sentence saying what was
/// expected and what happened.
pub fn verdict(spec: &SmokeCheck, seen: &Seen) -> (bool, String) {
    let port = spec.port.unwrap_or_default();
    let want_status = spec.status.unwrap_or(200);
    match seen {
        Seen::NotStarted(message) => (false, format!("the container could not start: {message}")),
        Seen::ExitedUnpublished(code) => {
            (false, format!("the container exited with code {code} before answering on port {port}"))
        }
        Seen::Unpublished => (false, format!("port {port} could not be published")),
        Seen::ExitedEarly { code, oom_killed } => {
            let why = if *oom_killed { " (killed: out of memory)" } else { "" };
            (false, format!("the container exited with code {code}{why} before answering on port {port}"))
        }
        Seen::Answered { status, body_has_text } if *status == want_status && *body_has_text => {
            (true, format!("GET {} answered {status} on port {port}", spec.path))
        }
        Seen::Answered { status, body_has_text } => {
            let last = attempt(spec, &Attempt::Status { status: *status, body_has_text: *body_has_text });
            (false, format!("GET {} on port {port}: {last}", spec.path))
        }
        Seen::NoGoodAnswer(last) => (
            false,
            format!("GET {} on port {port}: no good answer within {} s ({})", spec.path, spec.timeout_s, attempt(spec, last)),
        ),
        Seen::Exited { code, output_has_text } => {
            let want = spec.status.unwrap_or(0) as i64;
            match (&spec.body_contains, output_has_text) {
                _ if *code != want => (false, format!("the command exited with {code}, expected {want}")),
                (Some(text), Some(false)) => {
                    (false, format!("the command exited with {code} but its output lacks `{text}`"))
                }
                _ => (true, format!("the command exited with {code}")),
            }
        }
        Seen::StillRunning => (false, format!("the command did not finish within {} s", spec.timeout_s)),
    }
}

/// What an HTTP attempt that was not the wanted answer got.
fn attempt(spec: &SmokeCheck, a: &Attempt) -> String {
    let want = spec.status.unwrap_or(200);
    match (a, &spec.body_contains) {
        (Attempt::Status { status, .. }, Some(b)) if *status == want => format!("answered {status} but the body lacks `{b}`"),
        (Attempt::Status { status, .. }, _) => format!("answered {status}, expected {want}"),
        (Attempt::Error(e), _) => e.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_carries_the_logs() {
        let spec = SmokeCheck { port: None, ..TargetsLike::smoke() };
        let r = SmokeRun {
            seen: Seen::Exited { code: 127, output_has_text: None },
            logs: "exec /app: no such file\n".into(),
            elapsed_ms: 300,
        };
        let f = check(&spec, Some(&r));
        assert!(!f.passed && f.details == vec!["log: exec /app: no such file"]);
        let passed = SmokeRun { seen: Seen::Exited { code: 0, output_has_text: None }, logs: String::new(), ..r };
        assert!(check(&spec, Some(&passed)).message.ends_with("(0.3 s)"));
    }

    #[test]
    fn every_http_outcome_is_said() {
        let spec = SmokeCheck { body_contains: Some("ok".into()), ..TargetsLike::smoke() };
        let said = |seen: Seen| verdict(&spec, &seen);
        assert_eq!(said(Seen::Answered { status: 200, body_has_text: true }), (true, "GET / answered 200 on port 8080".into()));
        assert_eq!(
            said(Seen::NoGoodAnswer(Attempt::Status { status: 200, body_has_text: false })).1,
            "GET / on port 8080: no good answer within 20 s (answered 200 but the body lacks `ok`)"
        );
        assert_eq!(
            said(Seen::ExitedEarly { code: 137, oom_killed: true }).1,
            "the container exited with code 137 (killed: out of memory) before answering on port 8080"
        );
    }

    /// The HTTP smoke probe of a targets check on port 8080.
    struct TargetsLike;
    impl TargetsLike {
        fn smoke() -> SmokeCheck {
            workbook::spec::TargetsCheck { targets: vec![], max_mb: 1.0, port: 8080, path: "/".into(), status: None, env: Default::default() }
                .smoke()
        }
    }
}
