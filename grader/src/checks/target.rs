//! `target`: the named test stage really runs the tests: it builds as it is and with a new
//! passing test, and fails once a new failing test is planted.

use super::{Cx, Finding};
use crate::facts::TargetProbe;
use workbook::spec::TargetCheck;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &TargetCheck, cx: &Cx<'_>) -> Finding {
    match cx.probe::<TargetProbe>() {
        Ok(probe) => check(spec, probe),
        Err(not_measured) => not_measured,
    }
}

pub fn check(spec: &TargetCheck, probe: Option<&TargetProbe>) -> Finding {
    let Some(p) = probe else { return Finding::not_measured("the target probe did not run") };
    let target = &spec.target;
    if let Some(f) = &p.as_is.failure {
        let hint = if f.message.contains("target stage") && f.message.contains("could not be found") {
            format!(": the Dockerfile has no stage named `{target}`")
        } else {
            String::new()
        };
        return Finding::fail(format!("`--target {target}` fails to build as it is{hint} ({})", last_line(&f.message)));
    }
    if let Some(f) = &p.with_passing.failure {
        return Finding::fail(format!(
            "`--target {target}` fails once a new test that passes ({}) is added to {}: the stage reacts to new \
             files instead of running the tests and failing only when one fails ({})",
            p.passing_test,
            spec.plant_dir,
            last_line(&f.message)
        ));
    }
    let Some(f) = &p.with_failing.failure else {
        return Finding::fail(format!(
            "`--target {target}` still builds with a new failing test ({}) in {}: the stage does not run the tests, \
             or a failing test does not fail the build (no `|| true` after the test command)",
            p.failing_test, spec.plant_dir
        ));
    };
    // The test runner's output usually names the failing test: say when the log shows it ran.
    let named = f.message.contains(&p.failing_test)
        || p.with_failing.steps.iter().any(|s| s.log_tail.contains(&p.failing_test));
    let seen = if named { ", and its output names the failing test" } else { "" };
    Finding::pass(format!(
        "`--target {target}` builds as it is and with a new passing test, and fails with a new failing test in {}{seen}",
        spec.plant_dir
    ))
}

fn last_line(s: &str) -> &str {
    s.trim().lines().last().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::build::{BuildFailure, BuildOutcome, Builder};

    fn outcome(fails: bool) -> BuildOutcome {
        BuildOutcome {
            builder: Builder::BuildKit,
            steps: vec![],
            failure: fails.then(|| BuildFailure {
                message: "exit code: 1".into(),
                step: None,
                line: None,
                missing_base: None,
                infrastructure: None,
            }),
            stopped_early: false,
            duration: Default::default(),
        }
    }

    fn spec() -> TargetCheck {
        TargetCheck { target: "test".into(), plant_dir: "tests".into(), tests: workbook::spec::TestStyle::Pytest }
    }

    fn probe(as_is: bool, passing: bool, failing: bool) -> TargetProbe {
        TargetProbe {
            as_is: outcome(!as_is),
            with_passing: outcome(!passing),
            with_failing: outcome(!failing),
            passing_test: "test_aa".into(),
            failing_test: "test_bb".into(),
        }
    }

    #[test]
    fn verdicts() {
        let r = check(&spec(), Some(&probe(true, true, false)));
        assert!(r.passed, "{}", r.message);
        let r = check(&spec(), Some(&probe(true, true, true)));
        assert!(!r.passed && r.message.contains("does not run the tests"), "{}", r.message);
        let r = check(&spec(), Some(&probe(false, false, false)));
        assert!(!r.passed && r.message.contains("fails to build as it is"), "{}", r.message);
        // A stage that fails on any unknown file.
        let r = check(&spec(), Some(&probe(true, false, false)));
        assert!(!r.passed && r.message.contains("reacts to new files"), "{}", r.message);
        let mut named = probe(true, true, false);
        named.with_failing.steps.push(crate::facts::build::Step {
            log_tail: "FAILED tests/test_bb.py::test_bb - assert 3 == 4".into(),
            ..Default::default()
        });
        assert!(check(&spec(), Some(&named)).message.ends_with("its output names the failing test"));
    }
}
