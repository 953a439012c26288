//! `stop`: the container exits promptly on SIGTERM, so `docker stop` (and Kubernetes) do not
//! have to wait and then kill it.

use super::{Cx, Finding};
use crate::facts::{Facts, StopRun};
use workbook::spec::StopCheck;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &StopCheck, cx: &Cx<'_>) -> Finding {
    match cx.probe::<StopRun>() {
        Ok(run) => check(spec, run, runtime_command_line(cx.facts)),
        Err(not_measured) => not_measured,
    }
}

/// The final stage's last CMD or ENTRYPOINT: what starts PID 1.
fn runtime_command_line(facts: &Facts) -> Option<usize> {
    let df = facts.dockerfile.as_ref().ok()?;
    let last = df.final_stage()?;
    last.instructions.iter().rev().find(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT").map(|i| i.lines.start)
}

/// `cmd_line`: the line of the instruction that starts PID 1, blamed when it ignores SIGTERM.
pub fn check(spec: &StopCheck, result: Option<&StopRun>, cmd_line: Option<usize>) -> Finding {
    let Some(r) = result else { return Finding::not_measured("the stop probe did not run") };
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
            r.watched_s
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
        let r = |ms: Option<u128>| StopRun { exited_after_ms: ms, exit_code: Some(143), watched_s: 10 };
        assert!(check(&spec(), Some(&r(Some(300))), None).passed);
        let slow = check(&spec(), Some(&r(Some(7200))), Some(9));
        assert!(!slow.passed && slow.line == Some(9) && slow.message.starts_with("exited only 7.2 s"));
        assert!(check(&spec(), Some(&r(None)), None).message.starts_with("still running 10 s after SIGTERM"));
    }
}
