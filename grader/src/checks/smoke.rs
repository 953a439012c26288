//! `smoke`: the image still works under limits.

use super::Finding;
use crate::facts::SmokeResult;

pub fn check(result: Option<&SmokeResult>) -> Finding {
    match result {
        None => Finding::fail("not measured: the smoke run did not happen"),
        Some(r) if r.passed => Finding::pass(format!("{} ({:.1} s)", r.summary, r.elapsed_ms as f64 / 1000.0)),
        Some(r) => {
            let logs: Vec<String> =
                r.logs.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("log: {l}")).collect();
            Finding::fail(r.summary.clone()).with_details(logs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_carries_the_logs() {
        let r = SmokeResult {
            passed: false,
            summary: "the container exited with code 127".into(),
            logs: "exec /app: no such file\n".into(),
            elapsed_ms: 300,
        };
        let f = check(Some(&r));
        assert!(!f.passed && f.details == vec!["log: exec /app: no such file"]);
        assert!(check(Some(&SmokeResult { passed: true, logs: String::new(), ..r })).message.ends_with("(0.3 s)"));
    }
}
