//! `target`: the named test stage really runs the tests: it builds as it is, and fails once a
//! failing test is planted.

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
    if let Some(f) = &p.as_is.failure {
        let hint = if f.message.contains("target stage") && f.message.contains("could not be found") {
            format!(": the Dockerfile has no stage named `{}`", spec.target)
        } else {
            String::new()
        };
        return Finding::fail(format!(
            "`--target {}` fails to build as it is{hint} ({})",
            spec.target,
            last_line(&f.message)
        ));
    }
    if p.planted.failure.is_none() {
        return Finding::fail(format!(
            "`--target {}` still builds with a failing test planted at {}: the stage does not run the tests",
            spec.target, spec.plant_path
        ));
    }
    Finding::pass(format!(
        "`--target {}` builds as it is and fails with a failing test planted at {}",
        spec.target, spec.plant_path
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
        TargetCheck { target: "test".into(), plant_path: "tests/test_planted.py".into(), plant_content: "x".into() }
    }

    #[test]
    fn verdicts() {
        assert!(check(&spec(), Some(&TargetProbe { as_is: outcome(false), planted: outcome(true) })).passed);
        let r = check(&spec(), Some(&TargetProbe { as_is: outcome(false), planted: outcome(false) }));
        assert!(!r.passed && r.message.contains("does not run the tests"));
        let r = check(&spec(), Some(&TargetProbe { as_is: outcome(true), planted: outcome(true) }));
        assert!(!r.passed && r.message.contains("fails to build as it is"));
    }
}
