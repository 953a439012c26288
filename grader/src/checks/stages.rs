//! `stages`: how many stages the build uses and what the final one starts from. Counted from
//! the Dockerfile, not from BuildKit (which skips stages the target does not need): a stage
//! counts when the final stage, or a stage the spec builds with `--target`, uses it
//! (`FROM <stage>`, `COPY --from=`, `RUN --mount=...,from=`), directly or through another stage.
//! A `FROM ... AS decoy` nothing uses is not a stage of the build.

use super::{Cx, Finding};
use crate::facts::Facts;
use crate::locate::base_image_of;
use dockerfile::Dockerfile;
use workbook::spec::{CheckKind, Spec, StagesCheck};

pub const NEEDS_IMAGE: bool = false;

pub fn judge(spec: &StagesCheck, cx: &Cx<'_>) -> Finding {
    check(spec, &built_targets(cx.spec), cx.facts)
}

/// The stages the spec builds by name besides the default one: `build.target`, and the
/// targets of its `target` and `targets` checks.
pub fn built_targets(spec: &Spec) -> Vec<String> {
    let mut out: Vec<String> = spec.build.target.iter().cloned().collect();
    for c in &spec.checks {
        match &c.kind {
            CheckKind::Target(t) => out.push(t.target.clone()),
            CheckKind::Targets(t) => out.extend(t.targets.iter().cloned()),
            _ => {}
        }
    }
    out
}

/// `targets`: the stages built with `--target` (see [`built_targets`]); the final stage is
/// always a root.
pub fn check(spec: &StagesCheck, targets: &[String], facts: &Facts) -> Finding {
    let df = match &facts.dockerfile {
        Ok(df) => df,
        Err(e) => return Finding::fail(format!("the Dockerfile could not be read: {e}")),
    };
    let Some(last) = df.final_stage() else {
        return Finding::fail("the Dockerfile has no FROM");
    };
    let from_line = Some(last.from().lines.start);
    let (used, said) = used_stages(df, targets);
    if used < spec.min {
        return Finding::fail(format!("{said}, at least {} wanted", spec.min)).at(from_line);
    }
    let base = base_image_of(df, last);
    if !spec.final_base.is_empty() && !spec.final_base.iter().any(|p| image_matches(p, &base)) {
        return Finding::fail(format!(
            "{said}, but the final stage starts from {base}; expected {}",
            spec.final_base.join(" or ")
        ))
        .at(from_line);
    }
    Finding::pass(format!("{said}; the final stage starts from {base}"))
}

/// How many stages the build uses, and a sentence saying so: `3 stages`, or `3 stages; the
/// final stage uses 2 of them (not `decoy`)`.
fn used_stages(df: &Dockerfile, targets: &[String]) -> (usize, String) {
    let n = df.stages.len();
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    let mut roots = vec![n - 1];
    let mut named: Vec<String> = Vec::new();
    for t in targets {
        if let Some(s) = df.stage(t) {
            if s.index != n - 1 && !roots.contains(&s.index) {
                roots.push(s.index);
                named.push(format!("`{}`", s.display_name()));
            }
        }
    }
    let needed = df.stages_needed(&roots);
    let used = needed.iter().filter(|&&u| u).count();
    if used == n {
        return (n, format!("{n} stage{}", plural(n)));
    }
    let unused: Vec<String> =
        df.stages.iter().filter(|s| !needed[s.index]).map(|s| format!("`{}`", s.display_name())).collect();
    let who = if named.is_empty() {
        "the final stage uses".to_string()
    } else {
        format!("the final stage and the target{} {} use", plural(named.len()), named.join(", "))
    };
    (used, format!("{n} stages; {who} {used} of them (not {})", unused.join(", ")))
}

/// `pattern` with `*` wildcards against an image reference; `docker.io/library/` is implied.
pub fn image_matches(pattern: &str, image: &str) -> bool {
    let norm = |s: &str| {
        s.strip_prefix("docker.io/library/").or_else(|| s.strip_prefix("docker.io/")).unwrap_or(s).to_string()
    };
    let (pattern, image) = (norm(pattern), norm(image));
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == image;
    }
    let mut rest = image.as_str();
    for (k, part) in parts.iter().enumerate() {
        if k == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if k == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(i) => rest = &rest[i + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    fn spec(min: usize, bases: &[&str]) -> StagesCheck {
        StagesCheck { min, final_base: bases.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn one_stage_fails_with_its_line() {
        let r = check(&spec(2, &[]), &[], &facts("# comment\nFROM golang:1-trixie\nRUN go build\n"));
        assert!(!r.passed);
        assert_eq!(r.message, "1 stage, at least 2 wanted");
        assert_eq!(r.line, Some(2));
    }

    #[test]
    fn two_stages_with_an_allowed_final_base_pass() {
        let r = check(&spec(2, &["scratch", "gcr.io/distroless/static-debian13*"]), &[], &facts(SOLUTION));
        assert!(r.passed, "{}", r.message);
    }

    #[test]
    fn a_wrong_final_base_is_named() {
        let df = SOLUTION.replace("gcr.io/distroless/static-debian13:nonroot", "golang:1-trixie");
        let r = check(&spec(2, &["scratch"]), &[], &facts(&df));
        assert!(!r.passed && r.message.contains("starts from golang:1-trixie; expected scratch"), "{}", r.message);
    }

    #[test]
    fn continuations_and_comments_do_not_fake_stages() {
        let df = "FROM golang:1-trixie\n# FROM scratch\nRUN echo \\\n  FROM scratch\n";
        assert_eq!(check(&spec(2, &[]), &[], &facts(df)).message, "1 stage, at least 2 wanted");
    }

    #[test]
    fn final_stage_built_on_an_earlier_stage_uses_that_base() {
        let df = "FROM debian:trixie-slim AS base\nFROM golang:1-trixie AS build\nRUN true\nFROM base\nCMD [\"x\"]\n";
        let r = check(&spec(2, &["debian:*"]), &[], &facts(df));
        assert!(r.passed, "{}", r.message);
    }

    #[test]
    fn a_stage_nothing_uses_does_not_count() {
        let df = "FROM golang:1-trixie AS decoy\nRUN true\nFROM golang:1-trixie\nRUN go build\n";
        let r = check(&spec(2, &[]), &[], &facts(df));
        assert!(!r.passed);
        assert_eq!(r.message, "2 stages; the final stage uses 1 of them (not `decoy`), at least 2 wanted");
        assert_eq!(r.line, Some(3));
    }

    #[test]
    fn a_decoy_used_only_by_another_unused_stage_does_not_count() {
        let df = "FROM golang:1-trixie AS a\nFROM a AS b\nFROM scratch AS c\nCOPY --from=b /x /x\nFROM golang:1-trixie\n";
        let r = check(&spec(2, &[]), &[], &facts(df));
        assert!(r.message.starts_with("4 stages; the final stage uses 1 of them (not `a`, `b`, `c`)"), "{}", r.message);
    }

    #[test]
    fn stages_reached_by_from_index_and_mounts_count() {
        let df = concat!(
            "FROM golang:1-trixie AS deps\nRUN go mod download\n",
            "FROM deps AS build\nRUN go build -o /app\n",
            "FROM debian:trixie-slim AS tools\n",
            "FROM gcr.io/distroless/static-debian13:nonroot\n",
            "COPY --from=1 /app /app\n",
            "RUN --mount=type=bind,from=tools,source=/bin,target=/t [\"/t/true\"]\n",
        );
        let r = check(&spec(4, &[]), &[], &facts(df));
        assert!(r.passed, "{}", r.message);
        assert_eq!(r.message, "4 stages; the final stage starts from gcr.io/distroless/static-debian13:nonroot");
    }

    #[test]
    fn an_image_in_copy_from_is_not_a_stage() {
        let df = "FROM golang:1-trixie\nRUN go build\nFROM scratch\nCOPY --from=golang:1-trixie /app /app\n";
        let r = check(&spec(2, &[]), &[], &facts(df));
        assert_eq!(r.message, "2 stages; the final stage uses 1 of them (not `stage-0`), at least 2 wanted");
    }

    #[test]
    fn stages_the_spec_builds_as_targets_count_and_are_named() {
        let df = "FROM golang:1 AS build\nFROM debian:trixie-slim AS debian\nCOPY --from=build /a /a\nFROM scratch AS bare\nCOPY --from=build /a /a\nFROM alpine:3 AS decoy\nFROM bare\n";
        let r = check(&spec(4, &[]), &["debian".into(), "bare".into()], &facts(df));
        assert!(r.passed, "{}", r.message);
        assert_eq!(
            r.message,
            "5 stages; the final stage and the targets `debian`, `bare` use 4 of them (not `decoy`); the final stage starts from scratch"
        );
    }

    #[test]
    fn every_exercise_solution_passes_its_stages_check_and_its_starter_as_listed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for ex in ["ex1", "ex2", "ex3", "ex4", "ex5", "ex6", "ex7", "ex8", "ex9", "ex10"] {
            let spec = workbook::spec::Spec::load(&root.join("exercises").join(ex)).unwrap();
            let Some(c) = spec.check_of("stages") else { continue };
            let CheckKind::Stages(s) = &c.kind else { unreachable!() };
            let targets = built_targets(&spec);
            let read = |p: std::path::PathBuf| facts(&std::fs::read_to_string(p).unwrap());
            let solution = check(s, &targets, &read(root.join("solutions").join(ex).join("Dockerfile")));
            assert!(solution.passed, "{ex} solution: {}", solution.message);
            let starter = check(s, &targets, &read(root.join("exercises").join(ex).join("Dockerfile")));
            assert_eq!(!starter.passed, spec.starter.fails.contains(&c.id), "{ex} starter: {}", starter.message);
        }
    }

    #[test]
    fn wildcards() {
        assert!(image_matches("gcr.io/distroless/static-debian13*", "gcr.io/distroless/static-debian13:nonroot"));
        assert!(image_matches("debian:*-slim", "docker.io/library/debian:trixie-slim"));
        assert!(!image_matches("scratch", "debian:trixie-slim"));
    }
}
