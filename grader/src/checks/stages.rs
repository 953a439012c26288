//! `stages`: how many stages the Dockerfile has and what the final one starts from. Counted
//! from the Dockerfile, not from BuildKit (which skips stages the target does not need).

use super::{Cx, Finding};
use crate::facts::Facts;
use crate::locate::base_image_of;
use workbook::spec::StagesCheck;

pub const NEEDS_IMAGE: bool = false;

pub fn judge(spec: &StagesCheck, cx: &Cx<'_>) -> Finding {
    check(spec, cx.facts)
}

pub fn check(spec: &StagesCheck, facts: &Facts) -> Finding {
    let df = match &facts.dockerfile {
        Ok(df) => df,
        Err(e) => return Finding::fail(format!("the Dockerfile could not be read: {e}")),
    };
    let n = df.stages.len();
    let Some(last) = df.final_stage() else {
        return Finding::fail("the Dockerfile has no FROM");
    };
    let from_line = Some(last.from().lines.start);
    if n < spec.min {
        return Finding::fail(format!("{n} stage{}, at least {} wanted", if n == 1 { "" } else { "s" }, spec.min))
            .at(from_line);
    }
    let base = base_image_of(df, last);
    if !spec.final_base.is_empty() && !spec.final_base.iter().any(|p| image_matches(p, &base)) {
        return Finding::fail(format!(
            "{n} stages, but the final stage starts from {base}; expected {}",
            spec.final_base.join(" or ")
        ))
        .at(from_line);
    }
    Finding::pass(format!("{n} stages; the final stage starts from {base}"))
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
        let r = check(&spec(2, &[]), &facts("# comment\nFROM golang:1-trixie\nRUN go build\n"));
        assert!(!r.passed);
        assert_eq!(r.message, "1 stage, at least 2 wanted");
        assert_eq!(r.line, Some(2));
    }

    #[test]
    fn two_stages_with_an_allowed_final_base_pass() {
        let r = check(&spec(2, &["scratch", "gcr.io/distroless/static-debian13*"]), &facts(SOLUTION));
        assert!(r.passed, "{}", r.message);
    }

    #[test]
    fn a_wrong_final_base_is_named() {
        let df = SOLUTION.replace("gcr.io/distroless/static-debian13:nonroot", "golang:1-trixie");
        let r = check(&spec(2, &["scratch"]), &facts(&df));
        assert!(!r.passed && r.message.contains("starts from golang:1-trixie; expected scratch"), "{}", r.message);
    }

    #[test]
    fn continuations_and_comments_do_not_fake_stages() {
        let df = "FROM golang:1-trixie\n# FROM scratch\nRUN echo \\\n  FROM scratch\n";
        assert_eq!(check(&spec(2, &[]), &facts(df)).message, "1 stage, at least 2 wanted");
    }

    #[test]
    fn final_stage_built_on_an_earlier_stage_uses_that_base() {
        let df = "FROM debian:trixie-slim AS base\nFROM golang:1-trixie AS build\nRUN true\nFROM base\nCMD [\"x\"]\n";
        let r = check(&spec(2, &["debian:*"]), &facts(df));
        assert!(r.passed, "{}", r.message);
    }

    #[test]
    fn wildcards() {
        assert!(image_matches("gcr.io/distroless/static-debian13*", "gcr.io/distroless/static-debian13:nonroot"));
        assert!(image_matches("debian:*-slim", "docker.io/library/debian:trixie-slim"));
        assert!(!image_matches("scratch", "debian:trixie-slim"));
    }
}
