//! `targets`: several runtime stages compared; every one must run, the smallest must fit.

use super::stages::image_matches;
use super::{Cx, Finding};
use crate::facts::TargetRun;
use crate::locate::base_image_of;
use crate::units::mb;
use workbook::spec::TargetsCheck;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &TargetsCheck, cx: &Cx<'_>) -> Finding {
    let finding = match cx.probe::<Vec<TargetRun>>() {
        Ok(runs) => check(spec, runs),
        Err(not_measured) => not_measured,
    };
    match cx.facts.dockerfile.as_ref() {
        Ok(df) => with_bases(spec, df, finding),
        Err(_) => finding,
    }
}

/// Fails `finding` for every target whose stage starts from a base the spec does not allow
/// for it (read from the Dockerfile, through `FROM <stage>` chains), first in the message.
pub fn with_bases(spec: &TargetsCheck, df: &dockerfile::Dockerfile, mut finding: Finding) -> Finding {
    let mut wrong = Vec::new();
    let mut line = None;
    for (target, allowed) in &spec.bases {
        let Some(stage) = df.stage(target) else { continue };
        let base = base_image_of(df, stage);
        if !allowed.iter().any(|p| image_matches(p, &base)) {
            wrong.push(format!("`{target}` starts from {base}, not {}", allowed.join(" or ")));
            line = line.or(Some(stage.from().lines.start));
        }
    }
    if wrong.is_empty() {
        return finding;
    }
    let rest = if finding.passed { String::new() } else { format!("; {}", finding.message) };
    finding.message = format!("{}{rest}", wrong.join("; "));
    finding.passed = false;
    finding.line = finding.line.or(line);
    finding
}

pub fn check(spec: &TargetsCheck, runs: Option<&Vec<TargetRun>>) -> Finding {
    let Some(runs) = runs else { return Finding::not_measured("the targets were not built") };
    let smoke = spec.smoke();
    let budget = (spec.max_mb * 1e6) as u64;
    let mut details = vec![format!(
        "{:<14} {:>9} {:>6} {:>8} {:>5}  runs as / answers",
        "target", "size", "layers", "packages", "shell"
    )];
    let mut problems = Vec::new();
    for r in runs {
        if let Some(f) = &r.failure {
            problems.push(format!("`{}` did not build", r.target));
            details.push(format!("{:<14} build failed: {}", r.target, f.trim().lines().last().unwrap_or("")));
            continue;
        }
        let answers = match r.smoke.as_ref().map(|s| super::smoke::verdict(&smoke, &s.seen)) {
            Some((true, _)) => "answers".to_string(),
            Some((false, summary)) => {
                // The smoke summary says what happened: no start, an early exit, a wrong status.
                problems.push(format!("`{}` built but failed its run: {summary}", r.target));
                format!("FAILS: {summary}")
            }
            None => "not run".to_string(),
        };
        let user = if r.user.is_empty() { "root".to_string() } else { r.user.clone() };
        details.push(format!(
            "{:<14} {:>9} {:>6} {:>8} {:>5}  {user} / {answers}",
            r.target,
            mb(r.size),
            r.layers,
            r.packages,
            if r.shell { "yes" } else { "no" }
        ));
    }
    let built: Vec<&TargetRun> = runs.iter().filter(|r| r.failure.is_none()).collect();
    let smallest = built.iter().min_by_key(|r| r.size);
    match smallest {
        Some(s) if s.size > budget => {
            problems.push(format!("the smallest, `{}`, is {}, over the {} budget", s.target, mb(s.size), mb(budget)))
        }
        None => problems.push("no target built".into()),
        _ => {}
    }
    if problems.is_empty() {
        let s = smallest.expect("checked above");
        Finding::pass(format!(
            "all {} targets run; the smallest, `{}`, is {} (budget {})",
            runs.len(),
            s.target,
            mb(s.size),
            mb(budget)
        ))
        .with_details(details)
    } else {
        Finding::fail(problems.join("; ")).with_details(details)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Seen, SmokeRun};

    fn run(target: &str, size: u64, answers: bool) -> TargetRun {
        TargetRun {
            target: target.into(),
            failure: None,
            size,
            layers: 3,
            packages: if target == "debian" { 78 } else { 0 },
            shell: target == "debian",
            user: "65532".into(),
            smoke: Some(SmokeRun {
                seen: if answers { Seen::Answered { status: 200, body_has_text: true, identity: None } } else { Seen::Unpublished },
                logs: String::new(),
                elapsed_ms: 1,
            }),
        }
    }

    #[test]
    fn a_target_on_another_base_than_its_name_says_fails_with_its_line() {
        let mut s = spec();
        s.bases.insert("debian".into(), vec!["debian:*".into()]);
        s.bases.insert("bare".into(), vec!["scratch".into()]);
        let ok = dockerfile::parse(
            "FROM golang:1-trixie AS build\nRUN go build\nFROM debian:trixie-slim AS debian\nFROM scratch AS bare\n",
        )
        .unwrap();
        assert!(with_bases(&s, &ok, Finding::pass("all run")).passed);
        // Every target on scratch: each runs and the smallest fits, yet `debian` is no Debian.
        let cheat = dockerfile::parse("FROM scratch AS base\nFROM base AS debian\nFROM scratch AS bare\n").unwrap();
        let f = with_bases(&s, &cheat, Finding::pass("all run"));
        assert!(!f.passed);
        assert_eq!(f.message, "`debian` starts from scratch, not debian:*");
        assert_eq!(f.line, Some(2));
    }

    #[test]
    fn the_specs_env_reaches_every_targets_run() {
        // ex8 gives CLOCK_ZONES at run time: an image's ENV CLOCK_ZONES=UTC cannot hide a
        // missing zone database (the adversarial set's ex8/cheat-targets-utc-only).
        let mut s = spec();
        s.env.insert("CLOCK_ZONES".into(), "UTC,Asia/Tokyo".into());
        assert_eq!(s.smoke().env.get("CLOCK_ZONES").map(String::as_str), Some("UTC,Asia/Tokyo"));
    }

    fn spec() -> TargetsCheck {
        crate::checks::fixtures::targets_spec()
    }

    #[test]
    fn all_run_and_the_smallest_fits() {
        let runs = vec![run("debian", 85_000_000, true), run("scratch", 6_000_000, true)];
        let r = check(&spec(), Some(&runs));
        assert!(r.passed, "{}", r.message);
        assert_eq!(r.details.len(), 3);
        assert!(r.details[1].contains("78") && r.details[1].contains("yes"));
    }

    #[test]
    fn one_that_does_not_run_fails_the_check() {
        let runs = vec![run("debian", 85_000_000, true), run("scratch", 6_000_000, false)];
        let r = check(&spec(), Some(&runs));
        assert!(!r.passed && r.message.contains("`scratch` built but failed its run: port 8080 could not be published"));
    }

    #[test]
    fn a_wrong_status_is_named_not_called_a_failure_to_run() {
        let mut runs = vec![run("debian", 85_000_000, true), run("bare", 6_000_000, true)];
        runs[1].smoke.as_mut().unwrap().seen = Seen::Answered { status: 503, body_has_text: true, identity: None };
        let r = check(&spec(), Some(&runs));
        assert!(!r.passed, "{}", r.message);
        assert!(r.message.contains("`bare` built but failed its run: GET / on port 8080: ") && r.message.contains("503"), "{}", r.message);
        assert!(!r.message.contains("does not run"), "{}", r.message);
    }
}
