//! `stop`: the container exits promptly on the signal `docker stop` sends (the image's
//! `STOPSIGNAL`, SIGTERM when it sets none), so `docker stop` and Kubernetes (whose runtimes
//! read `STOPSIGNAL` the same way) do not have to wait out the grace period and kill it.

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

/// `cmd_line`: the line of the instruction that starts PID 1, blamed when it ignores the signal.
pub fn check(spec: &StopCheck, result: Option<&StopRun>, cmd_line: Option<usize>) -> Finding {
    let Some(r) = result else { return Finding::not_measured("the stop probe did not run") };
    let sig = &r.signal;
    if sig == "SIGKILL" {
        // Exits at once, and never gracefully: SIGKILL cannot be handled.
        return Finding::fail(
            "the image's `STOPSIGNAL` is SIGKILL, which no program can handle: `docker stop` then kills it \
             mid-request instead of letting it stop cleanly; handle SIGTERM (or the signal the program stops \
             on) instead"
                .to_string(),
        )
        .at(cmd_line);
    }
    // Say where the signal came from when the image chose it.
    let why = match &r.stop_signal {
        Some(set) => format!(" (the image's `STOPSIGNAL {set}`, which `docker stop` sends instead of SIGTERM)"),
        None => String::new(),
    };
    match r.exited_after_ms {
        Some(ms) if ms <= u128::from(spec.within_s) * 1000 => Finding::pass(format!(
            "exited {:.1} s after {sig}{why} (code {}), within {} s",
            ms as f64 / 1000.0,
            r.exit_code.unwrap_or(-1),
            spec.within_s
        )),
        Some(ms) => Finding::fail(format!(
            "exited only {:.1} s after {sig}{why}; at most {} s wanted: PID 1 is not handling the signal",
            ms as f64 / 1000.0,
            spec.within_s
        ))
        .at(cmd_line),
        None => {
            let cause = if r.stop_signal.is_some() {
                "PID 1 ignores it: does the program act on that signal? Remove STOPSIGNAL to get SIGTERM, or \
                 handle the signal you chose"
            } else {
                "PID 1 ignores the signal (a shell-form CMD, or an app without a handler and no init)"
            };
            Finding::fail(format!("still running {} s after {sig}{why}: {cause}", r.watched_s)).at(cmd_line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> StopCheck {
        StopCheck { within_s: 5, port: None, path: "/".into() }
    }

    fn run(ms: Option<u128>) -> StopRun {
        StopRun { signal: "SIGTERM".into(), stop_signal: None, exited_after_ms: ms, exit_code: Some(143), watched_s: 10 }
    }

    #[test]
    fn prompt_slow_and_never() {
        assert!(check(&spec(), Some(&run(Some(300))), None).passed);
        let slow = check(&spec(), Some(&run(Some(7200))), Some(9));
        assert!(!slow.passed && slow.line == Some(9) && slow.message.starts_with("exited only 7.2 s after SIGTERM"));
        assert!(check(&spec(), Some(&run(None)), None).message.starts_with("still running 10 s after SIGTERM"));
    }

    #[test]
    fn the_images_stopsignal_is_named() {
        let sigint = StopRun { signal: "SIGINT".into(), stop_signal: Some("SIGINT".into()), ..run(Some(900)) };
        let r = check(&spec(), Some(&sigint), None);
        assert!(r.passed, "{}", r.message);
        assert!(r.message.starts_with("exited 0.9 s after SIGINT (the image's `STOPSIGNAL SIGINT`"), "{}", r.message);
        let ignored = StopRun { exited_after_ms: None, ..sigint };
        let r = check(&spec(), Some(&ignored), None);
        assert!(!r.passed && r.message.contains("Remove STOPSIGNAL to get SIGTERM"), "{}", r.message);
        let kill = StopRun { signal: "SIGKILL".into(), stop_signal: Some("9".into()), ..run(Some(20)) };
        let r = check(&spec(), Some(&kill), None);
        assert!(!r.passed && r.message.contains("no program can handle"), "{}", r.message);
    }

    #[test]
    fn stopsignal_forms_are_read_like_docker() {
        use crate::facts::probes::signal_name as name;
        assert_eq!(name("SIGINT"), "SIGINT");
        assert_eq!(name("int"), "SIGINT");
        assert_eq!(name("2"), "SIGINT");
        assert_eq!(name("37"), "37");
    }
}
