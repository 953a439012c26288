//! `smoke`: the image still works under limits. The smoke run recorded what the container did
//! (answered, exited, never started); this judges it against what the spec wants.

use super::{Cx, Finding};
use crate::facts::{Attempt, IdentityAnswer, Seen, SmokeRun};
use workbook::spec::{IdentityRequest, SmokeCheck};

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
        Seen::Answered { status, body_has_text, identity } if *status == want_status && *body_has_text => {
            let answered = format!("GET {} answered {status} on port {port}", spec.path);
            match (identity, &spec.identity) {
                (Some(a), Some(i)) => identity_verdict(answered, a, i, ""),
                _ => (true, answered),
            }
        }
        Seen::Answered { status, body_has_text, .. } => {
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

/// The identity request's verdict: the app answers it with the nonce (or, with a follow-up,
/// answers it and then gives the nonce back); a static file server or a stub that only knows
/// the health path does not. `then` is "then " for the follow-up.
fn identity_verdict(answered: String, a: &IdentityAnswer, i: &IdentityRequest, then: &str) -> (bool, String) {
    let want = i.status.unwrap_or(200);
    let mut asked = match &a.body {
        Some(body) => format!("{then}{} with `{body}`", a.request),
        None => format!("{then}{}", a.request),
    };
    if let Some(key) = &a.signed_with {
        asked.push_str(&format!(" (signed with the {key} the container was given)"));
    }
    if let Some(refused) = i.sign.as_ref().and_then(|s| s.forged_status) {
        let got = match &a.forged {
            Some(Attempt::Status { status, .. }) if *status == refused => None,
            Some(Attempt::Status { status, .. }) => Some(format!("answered {status}")),
            Some(Attempt::Error(e)) => Some(format!("got no answer ({e})")),
            None => Some("was not sent".to_string()),
        };
        if let Some(got) = got {
            let key = a.signed_with.as_deref().unwrap_or("the key");
            return (
                false,
                format!(
                    "{answered}, but the program answering is not the app: {then}{} signed with another key than {key} {got}, where the app refuses it with {refused}",
                    a.request
                ),
            );
        }
    }
    match &a.answer {
        Attempt::Status { status, body_has_text: true } if *status == want => {
            let said = format!("{answered}; {asked} answered {status} with `{}`", a.wanted);
            match (&i.then, &a.then) {
                (Some(next), Some(got)) => identity_verdict(said, got, next, "then "),
                (Some(next), None) => (false, format!("{said}, but the follow-up {} {} was not asked", next.method, next.path)),
                (None, _) => (true, said),
            }
        }
        got => {
            let got = match got {
                Attempt::Status { status, .. } if a.excerpt.is_empty() => format!("answered {status} with an empty body"),
                Attempt::Status { status, .. } => format!("answered {status} with `{}`", a.excerpt),
                Attempt::Error(e) => format!("got no answer ({e})"),
            };
            // Only the last request's wanted text holds the nonce (the spec's validation).
            let picked = if i.then.is_none() { " (a number picked for this run)" } else { "" };
            (
                false,
                format!(
                    "{answered}, but the program answering is not the app: {asked} {got}, where the app answers {want} with `{}`{picked}",
                    a.wanted
                ),
            )
        }
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
        assert_eq!(
            said(Seen::Answered { status: 200, body_has_text: true, identity: None }),
            (true, "GET / answered 200 on port 8080".into())
        );
        assert_eq!(
            said(Seen::NoGoodAnswer(Attempt::Status { status: 200, body_has_text: false })).1,
            "GET / on port 8080: no good answer within 20 s (answered 200 but the body lacks `ok`)"
        );
        assert_eq!(
            said(Seen::ExitedEarly { code: 137, oom_killed: true }).1,
            "the container exited with code 137 (killed: out of memory) before answering on port 8080"
        );
    }

    #[test]
    fn the_identity_answer_decides_and_is_said() {
        let identity = workbook::spec::IdentityRequest {
            method: "POST".into(),
            path: "/api/split".into(),
            body: Some("{\"total\": \"{nonce}\", \"people\": 1}".into()),
            content_type: "application/json".into(),
            status: None,
            body_contains: "\"due\":\"{nonce}.00\"".into(),
            sign: None,
            then: None,
        };
        let spec = SmokeCheck { identity: Some(identity.clone()), ..TargetsLike::smoke() };
        let i = identity.with_nonce("123456789012");
        let seen = |answer: Attempt, excerpt: &str| Seen::Answered {
            status: 200,
            body_has_text: true,
            identity: Some(IdentityAnswer {
                request: format!("{} {}", i.method, i.path),
                body: i.body.clone(),
                signed_with: None,
                forged: None,
                wanted: i.body_contains.clone(),
                answer,
                excerpt: excerpt.into(),
                then: None,
            }),
        };
        let good = verdict(&spec, &seen(Attempt::Status { status: 200, body_has_text: true }, "{\"due\":...}"));
        assert_eq!(
            good,
            (
                true,
                "GET / answered 200 on port 8080; POST /api/split with `{\"total\": \"123456789012\", \"people\": 1}` answered 200 with `\"due\":\"123456789012.00\"`".into()
            )
        );
        let (passed, said) = verdict(&spec, &seen(Attempt::Status { status: 501, body_has_text: false }, "Unsupported method ('POST')"));
        assert!(!passed);
        assert_eq!(
            said,
            "GET / answered 200 on port 8080, but the program answering is not the app: POST /api/split with `{\"total\": \"123456789012\", \"people\": 1}` answered 501 with `Unsupported method ('POST')`, where the app answers 200 with `\"due\":\"123456789012.00\"` (a number picked for this run)"
        );
        let (passed, said) = verdict(&spec, &seen(Attempt::Status { status: 200, body_has_text: false }, "ok"));
        assert!(!passed && said.contains("answered 200 with `ok`, where the app answers 200"), "{said}");
        let (passed, said) = verdict(&spec, &seen(Attempt::Error("connection closed without an answer".into()), ""));
        assert!(!passed && said.contains("got no answer (connection closed without an answer)"), "{said}");
        // A spec without an identity request judges the health answer alone.
        assert!(verdict(&TargetsLike::smoke(), &seen(Attempt::Error("x".into()), "")).0);
    }

    #[test]
    fn a_signed_request_and_its_follow_up_both_decide() {
        let text = r#"
method = "POST"
path = "/webhooks"
body = '{"type": "{nonce}"}'
status = 202
body_contains = '"queued"'
[sign]
algorithm = "hmac-sha256"
header = "X-Signature"
prefix = "sha256="
key_env = "WEBHOOK_SECRET"
forged_status = 401
[then]
path = "/events"
body_contains = '"type":"{nonce}"'
"#;
        let identity: IdentityRequest = toml::from_str(text).unwrap();
        let spec = SmokeCheck { identity: Some(identity.clone()), ..TargetsLike::smoke() };
        let i = identity.with_nonce("123456789012");
        let answer = |req: &IdentityRequest, status: u16, has: bool, excerpt: &str, then| IdentityAnswer {
            request: format!("{} {}", req.method, req.path),
            body: req.body.clone(),
            signed_with: req.sign.as_ref().map(|s| s.key_env.clone()),
            forged: Some(Attempt::Status { status: 401, body_has_text: true }),
            wanted: req.body_contains.clone(),
            answer: Attempt::Status { status, body_has_text: has },
            excerpt: excerpt.into(),
            then,
        };
        let events = i.then.as_deref().unwrap();
        let seen = |a: IdentityAnswer| Seen::Answered { status: 200, body_has_text: true, identity: Some(a) };
        let listed = answer(events, 200, true, "[{\"type\":\"123456789012\"}]", None);
        let good = verdict(&spec, &seen(answer(&i, 202, true, "{\"queued\":1}", Some(Box::new(listed)))));
        assert_eq!(
            good,
            (
                true,
                "GET / answered 200 on port 8080; POST /webhooks with `{\"type\": \"123456789012\"}` (signed with the WEBHOOK_SECRET the container was given) answered 202 with `\"queued\"`; then GET /events answered 200 with `\"type\":\"123456789012\"`".into()
            )
        );
        // A stub that takes any POST but keeps nothing.
        let empty = answer(events, 200, false, "[]", None);
        let (passed, said) = verdict(&spec, &seen(answer(&i, 202, true, "{\"queued\":1}", Some(Box::new(empty)))));
        assert!(!passed);
        assert!(
            said.ends_with("but the program answering is not the app: then GET /events answered 200 with `[]`, where the app answers 200 with `\"type\":\"123456789012\"` (a number picked for this run)"),
            "{said}"
        );
        // A stub that only answers /healthz: the POST fails, the follow-up is never asked.
        let (passed, said) = verdict(&spec, &seen(answer(&i, 404, false, "Cannot POST /webhooks", None)));
        assert!(!passed);
        assert!(said.ends_with("(signed with the WEBHOOK_SECRET the container was given) answered 404 with `Cannot POST /webhooks`, where the app answers 202 with `\"queued\"`"), "{said}");
        // The wanted first answer without its follow-up's is no pass.
        assert!(!verdict(&spec, &seen(answer(&i, 202, true, "", None))).0);
        // A stub that keeps every event but checks no signature: it took the forged one too.
        let listed = answer(events, 200, true, "[{\"type\":\"123456789012\"}]", None);
        let mut a = answer(&i, 202, true, "{\"queued\":2}", Some(Box::new(listed)));
        a.forged = Some(Attempt::Status { status: 202, body_has_text: true });
        let (passed, said) = verdict(&spec, &seen(a));
        assert!(!passed);
        assert!(
            said.ends_with("not the app: POST /webhooks signed with another key than WEBHOOK_SECRET answered 202, where the app refuses it with 401"),
            "{said}"
        );
    }

    /// The HTTP smoke probe of a targets check on port 8080.
    struct TargetsLike;
    impl TargetsLike {
        fn smoke() -> SmokeCheck {
            crate::checks::fixtures::targets_spec()
                .smoke()
        }
    }
}
