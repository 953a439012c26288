//! `cache`: the dependency step survives a source edit and reruns after a manifest edit.

use super::Finding;
use crate::engine::build::{BuildOutcome, Step};
use crate::facts::{CacheProbe, Facts};
use crate::locate::{instruction_of_step, squash};
use crate::spec::CacheCheck;

pub fn check(spec: &CacheCheck, probe: Option<&CacheProbe>, facts: &Facts) -> Finding {
    // The judged step is the first RUN (in Dockerfile order) whose command contains the text.
    let Some(dep) = crate::facts::dependency_step(facts, &spec.step) else {
        return Finding::fail(format!(
            "no RUN step runs `{}`: the dependencies are not installed in a step of their own, so every source edit reinstalls them",
            spec.step
        ));
    };
    let Some(probe) = probe else { return Finding::fail("not measured: the cache probe did not run") };
    if let Some(e) = &probe.error {
        return Finding::fail(format!("not measured: {e}"));
    }
    let (Some(after_source), Some(after_manifest)) = (&probe.after_source_edit, &probe.after_manifest_edit) else {
        return Finding::fail("not measured: the cache probe did not finish");
    };
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
        let (message, line) = match first_miss(after_source, &again) {
            Some(brk) if brk.name != again.name => {
                let at = line_of(facts, brk);
                let place = format!("{}{}", label(brk), at.map(|l| format!(" (line {l})")).unwrap_or_default());
                let instruction = brk.parsed().map(|p| p.instruction).unwrap_or_default();
                let is_copy = instruction.starts_with("COPY") || instruction.starts_with("ADD");
                let why = if is_copy && copies_file(instruction, &spec.source) {
                    format!("which copies {} in before {dep_label} runs", spec.source)
                } else if is_copy {
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
    Finding::pass(format!(
        "{} stayed cached after an edit to {} and ran again after an edit to {}",
        dep_label, spec.source, spec.manifest
    ))
}

/// The first step of the dependency step's stage (by step number) that missed the cache.
fn first_miss<'a>(build: &'a BuildOutcome, dep: &Step) -> Option<&'a Step> {
    let d = dep.parsed()?;
    build
        .instruction_steps()
        .filter(|s| !s.cached)
        .filter_map(|s| s.parsed().map(|p| (p, s)))
        .filter(|(p, _)| p.stage == d.stage && p.number <= d.number)
        .min_by_key(|(p, _)| p.number)
        .map(|(_, s)| s)
}

/// Whether a `COPY`/`ADD` of the build context (as the engine names the step) can bring in
/// `file` (a path relative to the context): one of its sources is the context itself, a folder
/// holding the file, the file, or a pattern matching it. `--from` copies never do.
fn copies_file(instruction: &str, file: &str) -> bool {
    let args: Vec<&str> = instruction.split_whitespace().skip(1).collect();
    if args.iter().any(|a| a.starts_with("--from")) {
        return false;
    }
    let words: Vec<String> = if args.first().is_some_and(|a| a.starts_with('[')) {
        // JSON form: COPY ["src", "dest"]
        let json = args.iter().skip_while(|a| a.starts_with("--")).copied().collect::<Vec<_>>().join(" ");
        serde_json::from_str::<Vec<String>>(&json).unwrap_or_default()
    } else {
        args.iter().filter(|a| !a.starts_with("--")).map(|a| a.to_string()).collect()
    };
    let Some((_dest, sources)) = words.split_last() else { return true };
    let file = file.trim_start_matches("./");
    sources.iter().any(|src| {
        let src = src.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
        src.is_empty()
            || src == "."
            || file == src
            || file.starts_with(&format!("{src}/"))
            || crate::glob::compile(src).is_ok_and(|re| re.is_match(file))
    })
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
    use crate::engine::build::Builder;

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
            step("[builder 1/6] FROM docker.io/library/golang:1.27-trixie", true),
            step("[builder 2/6] WORKDIR /src", cached[0]),
            step("[builder 3/6] COPY go.mod ./", cached[1]),
            step("[builder 4/6] RUN go mod download", cached[2]),
            step("[builder 5/6] COPY . .", cached[3]),
        ])
    }

    fn probe(src: BuildOutcome, man: BuildOutcome) -> CacheProbe {
        CacheProbe { after_source_edit: Some(src), after_manifest_edit: Some(man), error: None }
    }

    #[test]
    fn a_copy_brings_in_the_edited_file_only_when_a_source_covers_it() {
        assert!(copies_file("COPY . .", "main.go"));
        assert!(copies_file("COPY ./ /src/", "main.go"));
        assert!(copies_file("COPY *.go ./", "main.go"));
        assert!(copies_file("COPY --chown=app src ./src", "src/main.rs"));
        assert!(copies_file(r#"COPY ["main.go", "go.mod", "./"]"#, "main.go"));
        assert!(!copies_file("COPY go.mod ./", "main.go"));
        assert!(!copies_file("COPY go.mod go.sum* ./", "main.go"));
        assert!(!copies_file("COPY src ./src", "main.go"));
        assert!(!copies_file("COPY --from=build /out/app /app", "main.go"));
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
        let df = "FROM golang:1.27-trixie AS builder\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=builder /out/app /app\n";
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
        let mut f = facts("FROM golang:1.27-trixie\nCOPY . .\nRUN go build -o /app .\n");
        f.build = outcome(vec![step("[2/3] COPY . .", false), step("[3/3] RUN go build -o /app .", false)]);
        let r = check(&spec(), None, &f);
        assert!(!r.passed && r.message.starts_with("no RUN step runs `go mod download`"));
    }
}
