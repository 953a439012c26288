//! `context`: what the build context carried (after `.dockerignore`), and whether a planted
//! secret reached any layer of the image.

use super::{Cx, Finding};
use crate::dockerignore::Dockerignore;
use crate::facts::build::squash;
use crate::facts::Facts;
use crate::locate::{layer_origins, Origin};
use crate::units::mb;
use workbook::spec::{CanaryPlace, ContextCheck};

const EXAMPLES: usize = 4;

pub const NEEDS_IMAGE: bool = true;

/// What the ignore rules would send of the `must_ignore` paths: each path they do not leave
/// out, and, for a path in a folder (`.git/HEAD`), "the rest of `.git/`" when a path under that
/// folder with a name made fresh for this grading is not left out either, so rules that name
/// only the listed paths (`.git/HEAD`, `**/config`) do not pass for the whole folder
/// (`.git/objects/...` would still be sent).
fn would_send(must_ignore: &[String], ignore: &crate::dockerignore::Dockerignore, fresh: &str) -> Vec<String> {
    let mut out: Vec<String> = must_ignore.iter().filter(|p| !ignore.excludes(p)).cloned().collect();
    let mut tops: Vec<&str> = must_ignore.iter().filter_map(|p| p.split_once('/').map(|(top, _)| top)).collect();
    tops.dedup();
    for top in tops {
        let already = out.iter().any(|p| p.starts_with(&format!("{top}/")));
        if !already && !ignore.excludes(&format!("{top}/{fresh}/{fresh}")) {
            out.push(format!("the rest of {top}/"));
        }
    }
    out
}

/// 48 random bits in hex (a name no learner can list in advance).
fn fresh_name() -> String {
    crate::random::bytes::<6>().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn judge(spec: &ContextCheck, cx: &Cx<'_>) -> Finding {
    check(spec, cx.facts)
}

pub fn check(spec: &ContextCheck, facts: &Facts) -> Finding {
    let mut problems = Vec::new();
    let mut details = Vec::new();
    let mut line = None;
    let mut sent: Vec<&str> = Vec::new();
    if !spec.forbid.is_empty() {
        let forbidden = match Dockerignore::parse(&spec.forbid.join("\n")) {
            Ok(d) => d,
            Err(e) => return Finding::fail(format!("bad forbid pattern in the spec: {e:#}")),
        };
        sent = facts.context_paths.iter().map(|(p, _)| p.as_str()).filter(|p| forbidden.excludes(p)).collect();
        if !sent.is_empty() {
            let shown: Vec<&str> = sent.iter().take(EXAMPLES).copied().collect();
            problems.push(format!(
                "{} file{} that should stay out of the context {} sent ({}{})",
                sent.len(),
                if sent.len() == 1 { "" } else { "s" },
                if sent.len() == 1 { "was" } else { "were" },
                shown.join(", "),
                if sent.len() > EXAMPLES { ", ..." } else { "" }
            ));
        }
    }
    let would_send = would_send(&spec.must_ignore, &facts.context_ignore, &fresh_name());
    if !would_send.is_empty() {
        problems.push(format!(
            "the ignore rules would send {} (the folder has no such file, but a real project does)",
            would_send.join(", ")
        ));
    }
    if let (Some(canary), Some(found)) = (spec.canary_for(CanaryPlace::Context), &facts.context_canary) {
        // A forbidden file holding the secret is already named above.
        let hits: Vec<String> = found
            .hits
            .iter()
            .filter(|(path, _)| !sent.contains(&path.as_str()))
            .map(|(path, how)| format!("{path} ({how})"))
            .collect();
        if !hits.is_empty() {
            let shown: Vec<&str> = hits.iter().take(EXAMPLES).map(String::as_str).collect();
            problems.push(format!(
                "the secret `{canary}` is in {} the context sends, whatever {} name{}: {}{} (leave {} out with \
                 .dockerignore; the app gets the secret at run time)",
                if hits.len() == 1 { "a file".to_string() } else { format!("{} files", hits.len()) },
                if hits.len() == 1 { "its" } else { "their" },
                if hits.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if hits.len() > EXAMPLES { ", ..." } else { "" },
                if hits.len() == 1 { "it" } else { "them" },
            ));
        }
    }
    if let Some(max) = spec.max_mb {
        let budget = (max * 1e6) as u64;
        if facts.context_bytes > budget {
            problems.push(format!("the context is {}, over its {} budget", mb(facts.context_bytes), mb(budget)));
            let mut biggest: Vec<&(String, u64)> = facts.context_paths.iter().collect();
            biggest.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
            details.extend(biggest.iter().take(3).map(|(p, s)| format!("{} {p}", mb(*s))));
        }
    }
    if let (Some(canary), Some(image)) = (spec.canary_for(CanaryPlace::Image), &facts.image) {
        if !image.canary_hits.is_empty() {
            let origins = facts.dockerfile.as_ref().ok().map(|df| layer_origins(df, image, None));
            for hit in &image.canary_hits {
                let still_there = image.files.contains_key(&hit.path);
                let origin = match origins.as_ref().and_then(|o| o.get(hit.layer)) {
                    Some(Origin::Instruction(i)) => {
                        line = line.or(Some(i.lines.start));
                        format!(
                            "layer {}, added by `{}` ({}:{})",
                            hit.layer + 1,
                            squash(&i.text()),
                            facts.dockerfile_path,
                            i.lines.start
                        )
                    }
                    Some(Origin::Base(b)) => format!("layer {}, from the base image {b}", hit.layer + 1),
                    None => format!("layer {}", hit.layer + 1),
                };
                let fate = if still_there { "" } else { "; deleted later, but the layer still ships it" };
                details.push(format!("{} ({}) in {origin}{fate}", hit.path, hit.how));
            }
            problems.push(format!("the secret `{canary}` is in the image, in {} file(s)", image.canary_hits.len()));
        }
        if !image.canary_in_config.is_empty() {
            let places: Vec<String> = image.canary_in_config.iter().map(|h| format!("{} ({})", h.place, h.how)).collect();
            problems.push(format!(
                "the secret `{canary}` is in the image config, which ships with every layer: {} (an ENV, a LABEL \
                 or a build argument is recorded there; mount the secret with `RUN --mount=type=secret` instead)",
                places.join(", ")
            ));
        }
    }
    if problems.is_empty() {
        let mut said = Vec::new();
        if !spec.forbid.is_empty() || spec.max_mb.is_some() {
            let forbidden = if spec.forbid.is_empty() { "" } else { ", none of them forbidden" };
            said.push(format!(
                "the context holds {} files, {}{forbidden}",
                facts.context_files,
                mb(facts.context_bytes)
            ));
        }
        if !spec.must_ignore.is_empty() {
            said.push(format!("the ignore rules leave out {}", spec.must_ignore.join(", ")));
        }
        if spec.canary_for(CanaryPlace::Context).is_some() {
            said.push("no file the context sends holds the secret".to_string());
        }
        if spec.canary_for(CanaryPlace::Image).is_some() {
            said.push("the secret is in no layer and not in the image config".to_string());
        }
        details.extend(limits(spec, facts));
        return Finding::pass(said.join("; ")).with_details(details);
    }
    details.extend(limits(spec, facts));
    Finding::fail(problems.join("; ")).at(line).with_details(details)
}

/// Every file whose canary search a bound cut short, where the check searched.
fn limits(spec: &ContextCheck, facts: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(_), Some(found)) = (spec.canary_for(CanaryPlace::Context), &facts.context_canary) {
        out.extend(found.limits.iter().map(|l| format!("not searched to the end (context): {l}")));
    }
    if let (Some(_), Some(image)) = (spec.canary_for(CanaryPlace::Image), &facts.image) {
        out.extend(image.canary_limits.iter().map(|l| format!("not searched to the end: {l}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    fn spec() -> ContextCheck {
        ContextCheck {
            max_mb: Some(1.0),
            forbid: vec![".env".into(), ".git".into(), "**/*.pem".into()],
            must_ignore: vec![],
            canary: Some("CANARY-123".into()),
            canary_in: None,
        }
    }

    #[test]
    fn a_clean_context_and_image_pass() {
        let mut f = facts(SOLUTION);
        f.context_paths = vec![("app.py".into(), 100), ("requirements.txt".into(), 20)];
        f.context_files = 2;
        f.context_bytes = 120;
        let r = check(&spec(), &f);
        assert!(r.passed, "{}", r.message);
        assert!(
            r.message.ends_with("none of them forbidden; the secret is in no layer and not in the image config"),
            "{}",
            r.message
        );
    }

    #[test]
    fn must_ignore_is_judged_on_the_rules_and_the_config_is_searched() {
        let mut f = facts(SOLUTION);
        let only = ContextCheck {
            must_ignore: vec![".git/HEAD".into()],
            canary: Some("CANARY-123".into()),
            ..Default::default()
        };
        let r = check(&only, &f);
        assert!(!r.passed && r.message.contains("would send .git/HEAD"), "{}", r.message);
        f.context_ignore = crate::dockerignore::Dockerignore::parse("*\n!src\n").unwrap();
        assert!(check(&only, &f).passed);
        f.image.as_mut().unwrap().canary_in_config = vec![crate::facts::image::ConfigHit {
            place: "ENV TOKEN".into(),
            how: "base64-encoded".into(),
        }];
        let r = check(&only, &f);
        assert!(!r.passed && r.message.contains("in the image config, which ships with every layer: ENV TOKEN (base64-encoded)"), "{}", r.message);
    }

    #[test]
    fn rules_that_name_only_the_probed_paths_do_not_leave_out_the_folder() {
        // The adversarial set's ex7/cheat-context-git-probe-paths-only and probe-names-anywhere.
        let spec = ContextCheck { must_ignore: vec![".git/HEAD".into(), ".git/config".into()], ..Default::default() };
        let mut f = facts(SOLUTION);
        for rules in [".git/HEAD\n.git/config\n", "**/HEAD\n**/config\n"] {
            f.context_ignore = crate::dockerignore::Dockerignore::parse(rules).unwrap();
            let r = check(&spec, &f);
            assert!(!r.passed && r.message.contains("would send the rest of .git/"), "{rules:?}: {}", r.message);
        }
        for rules in [".git\n", ".git/\n", "**/.git\n", "*\n!src/\n"] {
            f.context_ignore = crate::dockerignore::Dockerignore::parse(rules).unwrap();
            assert!(check(&spec, &f).passed, "{rules:?}");
        }
        f.context_ignore = crate::dockerignore::Dockerignore::parse(".git/HEAD\n.git/config\n").unwrap();
        let r = check(&spec, &f);
        assert!(r.message.contains("would send the rest of .git/ ("), "{}", r.message);
        assert_ne!(fresh_name(), fresh_name());
    }

    #[test]
    fn secrets_in_the_context_and_in_a_deleted_layer_are_named() {
        let df = "FROM python:3.13-slim-trixie\nCOPY . /app\nRUN rm /app/.env\n";
        let mut f = with_files(
            facts(df),
            &[("base", 1), ("COPY . /app # buildkit", 1), ("RUN /bin/sh -c rm /app/.env # buildkit", 0)],
            &[],
        );
        f.context_paths = vec![
            (".env".into(), 20),
            (".git/HEAD".into(), 10),
            ("certs/key.pem".into(), 5),
            ("app.py".into(), 2_000_000),
        ];
        f.context_bytes = 2_000_035;
        f.image.as_mut().unwrap().canary_hits = vec![crate::facts::image::CanaryHit {
            path: "/app/.env".into(),
            layer: 1,
            how: "as is".into(),
        }];
        let r = check(&spec(), &f);
        assert!(!r.passed);
        assert!(
            r.message
                .starts_with("3 files that should stay out of the context were sent (.env, .git/HEAD, certs/key.pem)"),
            "{}",
            r.message
        );
        assert!(r.message.contains("the context is 2.0 MB, over its 1.0 MB budget"), "{}", r.message);
        assert!(r.message.contains("the secret `CANARY-123` is in the image"), "{}", r.message);
        assert_eq!(r.line, Some(2));
        assert!(r.details.iter().any(|d| d.contains("deleted later, but the layer still ships it")), "{:?}", r.details);
    }
    #[test]
    fn a_secret_in_a_file_the_context_sends_is_named_once() {
        // The adversarial set's ex7/cheat-context-secret-renamed.
        let spec = ContextCheck {
            forbid: vec![".env".into()],
            canary: Some("CANARY-123".into()),
            canary_in: Some(vec![CanaryPlace::Context]),
            ..Default::default()
        };
        let mut f = facts(SOLUTION);
        f.context_paths = vec![("app.py".into(), 100), ("config/webhook.conf".into(), 30)];
        f.context_canary = Some(Default::default());
        // Searched in the context only: a hit in the image is the other check's.
        f.image.as_mut().unwrap().canary_hits =
            vec![crate::facts::image::CanaryHit { path: "/app/x".into(), layer: 1, how: "as is".into() }];
        let r = check(&spec, &f);
        assert!(r.passed, "{}", r.message);
        assert!(r.message.ends_with("none of them forbidden; no file the context sends holds the secret"), "{}", r.message);
        f.context_canary = Some(crate::context::ContextCanary {
            hits: vec![("config/webhook.conf".into(), "as is".into())],
            limits: vec!["blob.gz: decompressed or decoded data past 256 MiB was not searched".into()],
        });
        let r = check(&spec, &f);
        assert!(!r.passed);
        assert_eq!(
            r.message,
            "the secret `CANARY-123` is in a file the context sends, whatever its name: config/webhook.conf (as is) \
             (leave it out with .dockerignore; the app gets the secret at run time)"
        );
        assert_eq!(
            r.details,
            vec!["not searched to the end (context): blob.gz: decompressed or decoded data past 256 MiB was not searched"]
        );
        // A forbidden file that holds it is named once, as forbidden.
        f.context_paths.push((".env".into(), 20));
        f.context_canary.as_mut().unwrap().hits = vec![(".env".into(), "as is".into())];
        let r = check(&spec, &f);
        assert_eq!(r.message, "1 file that should stay out of the context was sent (.env)");
    }
}
