//! `stop`: the container exits promptly on SIGTERM, so `docker stop` (and Kubernetes) do not
//! have to wait and then kill it.

use super::Finding;
use crate::facts::StopResult;
use workbook::spec::StopCheck;

pub fn check(spec: &StopCheck, result: Option<&StopResult>, cmd_line: Option<usize>) -> Finding {
    let Some(r) = result else { return Finding::fail("not measured: the stop probe did not run") };
    if let Some(p) = &r.problem {
        return Finding::fail(format!("not measured: {p}"));
    }
    match r.exited_after_ms {
        Some(ms) if ms <= u128::from(spec.within_s) * 1000 => Finding::pass(format!(
            "exited {:.1} s after SIGTERM (code {}), within {} s",
            ms as f64 / 1000.0,
            r.exit_code.unwrap_or(-1),
            spec.within_s
        )),
        Some(ms) => Finding::fail(format!(
            "exited only {:.1} s after SIGTERM; at most {} s wanted: PID 1 is not handling the signal",
            ms as f64 / 1000.0,
            spec.within_s
        ))
        .at(cmd_line),
        None => Finding::fail(format!(
            "still running {} s after SIGTERM: PID 1 ignores the signal (a shell-form CMD, or an app without a handler and no init)",
            spec.within_s + 5
        ))
        .at(cmd_line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> StopCheck {
        StopCheck { within_s: 5, port: None, path: "/".into() }
    }

    #[test]
    fn prompt_slow_and_never() {
        let r = |ms: Option<u128>| StopResult { exited_after_ms: ms, exit_code: Some(143), problem: None };
        assert!(check(&spec(), Some(&r(Some(300))), None).passed);
        let slow = check(&spec(), Some(&r(Some(7200))), Some(9));
        assert!(!slow.passed && slow.line == Some(9) && slow.message.starts_with("exited only 7.2 s"));
        assert!(check(&spec(), Some(&r(None)), None).message.starts_with("still running 10 s after SIGTERM"));
    }
}
