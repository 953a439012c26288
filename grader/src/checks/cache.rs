//! `cache`: the dependency step survives a source edit and reruns after a manifest edit.

use super::{Cx, Finding};
use crate::facts::build::squash;
use crate::facts::build::{BuildOutcome, Step};
use crate::facts::{CacheProbe, Facts};
use crate::locate::instruction_of_step;
use workbook::spec::CacheCheck;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &CacheCheck, cx: &Cx<'_>) -> Finding {
    match cx.probe::<CacheProbe>() {
        Ok(probe) => check(spec, probe, cx.facts),
        Err(not_measured) => not_measured,
    }
}

pub fn check(spec: &CacheCheck, probe: Option<&CacheProbe>, facts: &Facts) -> Finding {
    // The judged step is the first RUN (in Dockerfile order) with a command that runs the step.
    let Some(dep) = crate::locate::dependency_step(facts, &spec.step) else {
        return Finding::fail(format!(
            "no RUN step runs `{}`: the dependencies are not installed in a step of their own, so every source edit reinstalls them",
            spec.step
        ));
    };
    let Some(probe) = probe else { return Finding::not_measured("the cache probe did not run") };
    let (after_source, after_manifest) = (&probe.after_source_edit, &probe.after_manifest_edit);
    if let Some(f) = &after_source.failure {
        return Finding::fail(format!("the rebuild after editing {} failed: {}", spec.source, f.message));
    }
    let dep_label = label(dep);
    let dep_line = line_of(facts, dep);
    let same_step =
        |build: &'_ BuildOutcome| build.steps.iter().find(|s| squash(&s.name) == squash(&dep.name)).cloned();
    let Some(again) = same_step(after_source) else {
        return Finding::fail(format!("the rebuild after editing {} did not run {dep_label}", spec.source));
    };
    if !again.cached {
        let (message, line) = match after_source.first_miss_up_to(&again) {
            Some(brk) if brk.name != again.name => {
                let at = line_of(facts, brk);
                let place = format!("{}{}", label(brk), at.map(|l| format!(" (line {l})")).unwrap_or_default());
                let why = if brk.brings_in(&spec.source) {
                    format!("which copies {} in before {dep_label} runs", spec.source)
                } else if brk.copy_instruction().is_some() {
                    format!(
                        "which does not copy {}: the engine did not reuse its own cache there, which is not your \
                         Dockerfile's doing (Docker 20.10 can miss it while other builds run on the same engine): \
                         run the check again",
                        spec.source
                    )
                } else {
                    "before anything the edit touched: did the base image change while grading?".to_string()
                };
                (
                    format!("after a harmless edit to {}, {dep_label} ran again: the cache broke earlier, at {place}, {why}", spec.source),
                    at.or(dep_line),
                )
            }
            _ => (
                format!(
                    "after a harmless edit to {}, {dep_label} ran again instead of coming from the cache",
                    spec.source
                ),
                dep_line,
            ),
        };
        return Finding::fail(message).at(line);
    }
    if let Some(f) = &after_manifest.failure {
        return Finding::fail(format!("the rebuild after editing {} failed: {}", spec.manifest, f.message));
    }
    if same_step(after_manifest).is_some_and(|s| s.cached) {
        return Finding::fail(format!(
            "after editing {}, {dep_label} still came from the cache: the step does not see {}; copy it in before this step",
            spec.manifest, spec.manifest
        ))
        .at(dep_line);
    }
    let again = if probe.rebuilt_unedited {
        " (measured twice: the engine missed its own cache the first time, before anything the edit touched)"
    } else {
        ""
    };
    Finding::pass(format!(
        "{} stayed cached after an edit to {} and ran again after an edit to {}{again}",
        dep_label, spec.source, spec.manifest
    ))
}

fn label(step: &Step) -> String {
    match step.parsed() {
        Some(p) => format!("`{}`", squash(p.instruction)),
        None => format!("`{}`", step.name),
    }
}

fn line_of(facts: &Facts, step: &Step) -> Option<usize> {
    let df = facts.dockerfile.as_ref().ok()?;
    Some(instruction_of_step(df, &step.parsed()?)?.lines.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;
    use crate::facts::build::Builder;

    fn outcome(steps: Vec<Step>) -> BuildOutcome {
        BuildOutcome {
            builder: Builder::BuildKit,
            steps,
            failure: None,
            stopped_early: true,
            duration: Default::default(),
        }
    }

    fn spec() -> CacheCheck {
        CacheCheck { step: "go mod download".into(), source: "main.go".into(), manifest: "go.mod".into() }
    }

    fn good_build(cached: [bool; 4]) -> BuildOutcome {
        outcome(vec![
            step("[internal] load build context", false),
            step("[builder 1/6] FROM docker.io/library/golang:1-trixie", true),
            step("[builder 2/6] WORKDIR /src", cached[0]),
            step("[builder 3/6] COPY go.mod ./", cached[1]),
            step("[builder 4/6] RUN go mod download", cached[2]),
            step("[builder 5/6] COPY . .", cached[3]),
        ])
    }

    fn probe(src: BuildOutcome, man: BuildOutcome) -> CacheProbe {
        CacheProbe { after_source_edit: src, after_manifest_edit: man, rebuilt_unedited: false }
    }

    #[test]
    fn well_ordered_dockerfile_passes() {
        let mut f = facts(SOLUTION);
        f.build = good_build([false; 4]);
        let p = probe(good_build([true, true, true, false]), good_build([true, false, false, false]));
        let r = check(&spec(), Some(&p), &f);
        assert!(r.passed, "{}", r.message);
    }

    #[test]
    fn copy_all_before_the_dependency_step_is_named() {
        let df = "FROM golang:1-trixie AS builder\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=builder /out/app /app\n";
        let build = |c: [bool; 3]| {
            outcome(vec![
                step("[builder 2/5] WORKDIR /src", c[0]),
                step("[builder 3/5] COPY . .", c[1]),
                step("[builder 4/5] RUN go mod download", c[2]),
            ])
        };
        let mut f = facts(df);
        f.build = build([false; 3]);
        let r = check(&spec(), Some(&probe(build([true, false, false]), build([true, false, false]))), &f);
        assert!(!r.passed);
        assert_eq!(r.line, Some(3));
        assert!(r.message.contains("the cache broke earlier, at `COPY . .` (line 3), which copies main.go in before `RUN go mod download` runs"), "{}", r.message);
    }

    #[test]
    fn a_step_that_ignores_the_manifest_is_caught() {
        let mut f = facts(SOLUTION);
        f.build = good_build([false; 4]);
        let r = check(
            &spec(),
            Some(&probe(good_build([true, true, true, false]), good_build([true, true, true, false]))),
            &f,
        );
        assert!(!r.passed && r.message.contains("still came from the cache"), "{}", r.message);
        assert_eq!(r.line, Some(4));
    }

    #[test]
    fn the_first_matching_step_in_dockerfile_order_is_judged() {
        let df = "FROM node:20-trixie AS build\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nFROM node:20-trixie AS deps\nCOPY package*.json ./\nRUN npm ci --omit=dev\nFROM node:20-trixie-slim\nCOPY --from=deps /node_modules /node_modules\n";
        let build = |c: [bool; 4]| {
            outcome(vec![
                step("[build 2/5] COPY package*.json ./", c[0]),
                step("[build 3/5] RUN npm ci", c[1]),
                step("[deps 2/3] COPY package*.json ./", c[2]),
                step("[deps 3/3] RUN npm ci --omit=dev", c[3]),
            ])
        };
        let mut f = facts(df);
        f.build = build([false; 4]);
        let spec = CacheCheck { step: "npm ci".into(), source: "src/app.ts".into(), manifest: "package.json".into() };
        let ok = probe(build([true; 4]), build([false; 4]));
        let r = check(&spec, Some(&ok), &f);
        assert!(r.passed && r.message.starts_with("`RUN npm ci` stayed cached"), "{}", r.message);
        // The build stage's step (line 3) is the one judged, even when the engine reported the
        // deps stage first.
        let mut reordered = build([false; 4]);
        reordered.steps.reverse();
        f.build = reordered;
        let stale = probe(build([true; 4]), build([false, true, false, false]));
        let r = check(&spec, Some(&stale), &f);
        assert!(!r.passed && r.message.contains("`RUN npm ci` still came from the cache"), "{}", r.message);
        assert_eq!(r.line, Some(3));
    }

    #[test]
    fn no_dependency_step_at_all() {
        let mut f = facts("FROM golang:1-trixie\nCOPY . .\nRUN go build -o /app .\n");
        f.build = outcome(vec![step("[2/3] COPY . .", false), step("[3/3] RUN go build -o /app .", false)]);
        let r = check(&spec(), None, &f);
        assert!(!r.passed && r.message.starts_with("no RUN step runs `go mod download`"));
    }
}
