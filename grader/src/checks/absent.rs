//! `absent`: glob patterns that must match nothing in the final filesystem. An offending path
//! is traced to the layer that added it, and that layer to its Dockerfile instruction or the
//! base image.

use std::collections::BTreeMap;

use super::{Cx, Finding};
use crate::facts::build::squash;
use crate::facts::image::CopyHit;
use crate::facts::Facts;
use crate::glob::PathGlobs;
use crate::locate::{layer_origins, Origin};
use workbook::spec::PathsCheck;

const EXAMPLES: usize = 3;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &PathsCheck, cx: &Cx<'_>) -> Finding {
    absent(spec, cx.facts)
}

pub fn absent(spec: &PathsCheck, facts: &Facts) -> Finding {
    let image = facts.image.as_ref().expect("judged only with an image");
    let globs = match PathGlobs::new(&spec.paths) {
        Ok(g) => g,
        Err(e) => return Finding::fail(format!("bad pattern in the spec: {e}")),
    };
    let hits: Vec<(&String, usize)> =
        image.files.iter().filter(|(p, _)| globs.matching(p).is_some()).map(|(p, e)| (p, e.layer)).collect();
    // Copies of the originals still in the final filesystem (the layer that added the copy is
    // the one its path comes from), which no pattern matched.
    let copies: Vec<&CopyHit> = image
        .copies
        .iter()
        .filter(|c| image.files.get(&c.path).is_some_and(|f| f.layer == c.layer))
        .filter(|c| !hits.iter().any(|(p, _)| **p == c.path))
        .collect();
    let not_compared = match &facts.originals {
        Some(o) if !o.missing.is_empty() && spec.copies_of.is_some() => {
            vec![format!("not compared (not a file of {} up to 64 MiB): {}", o.image, o.missing.join(", "))]
        }
        _ => Vec::new(),
    };
    if hits.is_empty() && copies.is_empty() {
        let also = match (&spec.copies_of, &facts.originals) {
            (Some(_), Some(o)) if !o.files.is_empty() => {
                let names: Vec<&str> = o.files.iter().map(|f| f.path.as_str()).collect();
                format!(", nor a copy of {} from {} under another name", names.join(", "), o.image)
            }
            _ => String::new(),
        };
        return Finding::pass(format!("the final image holds none of: {}{also}", spec.what)).with_details(not_compared);
    }
    if hits.is_empty() {
        return copies_found(&copies, facts).with_details(not_compared);
    }
    let origins = facts.dockerfile.as_ref().ok().map(|df| layer_origins(df, image, None));
    // Group the offenders by layer, biggest group first.
    let mut by_layer: BTreeMap<usize, Vec<&String>> = BTreeMap::new();
    for (p, l) in &hits {
        by_layer.entry(*l).or_default().push(p);
    }
    let mut groups: Vec<(usize, Vec<&String>)> = by_layer.into_iter().collect();
    groups.sort_by_key(|(l, paths)| (std::cmp::Reverse(paths.len()), *l));
    let mut line = None;
    let details = groups
        .iter()
        .map(|(layer, paths)| {
            let examples: Vec<&str> = paths.iter().take(EXAMPLES).map(|p| p.as_str()).collect();
            let more = if paths.len() > EXAMPLES { ", ..." } else { "" };
            let source = match origins.as_ref().map(|o| &o[*layer]) {
                Some(Origin::Instruction(i)) => {
                    line = line.or(Some(i.lines.start));
                    format!("added by `{}` ({}:{})", squash(&i.text()), facts.dockerfile_path, i.lines.start)
                }
                Some(Origin::Base(b)) => format!("from the base image {b}"),
                None => format!("added by layer {} (`{}`)", layer + 1, image.layers[*layer].created_by),
            };
            format!(
                "{} path{} ({}{more}) {source}",
                paths.len(),
                if paths.len() == 1 { "" } else { "s" },
                examples.join(", ")
            )
        })
        .collect();
    let first: Vec<&str> = hits.iter().take(EXAMPLES).map(|(p, _)| p.as_str()).collect();
    let mut details: Vec<String> = details;
    if !copies.is_empty() {
        details.push(copies_found(&copies, facts).message);
    }
    Finding::fail(format!(
        "{} path{} of {} in the final image, e.g. {}",
        hits.len(),
        if hits.len() == 1 { "" } else { "s" },
        spec.what,
        first.join(", ")
    ))
    .at(line)
    .with_details(details)
}

/// The failure for copies no pattern named: each copy, its original and the instruction that
/// added it.
fn copies_found(copies: &[&CopyHit], facts: &Facts) -> Finding {
    let image = facts.image.as_ref().expect("judged only with an image");
    let from = facts.originals.as_ref().map(|o| o.image.as_str()).unwrap_or("the image named by copies_of");
    let origins = facts.dockerfile.as_ref().ok().map(|df| layer_origins(df, image, None));
    let mut line = None;
    let said: Vec<String> = copies
        .iter()
        .take(EXAMPLES)
        .map(|c| {
            let source = match origins.as_ref().and_then(|o| o.get(c.layer)) {
                Some(Origin::Instruction(i)) => {
                    line = line.or(Some(i.lines.start));
                    format!(", added by `{}` ({}:{})", squash(&i.text()), facts.dockerfile_path, i.lines.start)
                }
                Some(Origin::Base(b)) => format!(", from the base image {b}"),
                None => String::new(),
            };
            format!("{} is a copy of {from}'s {}{source}", c.path, c.original)
        })
        .collect();
    let more = if copies.len() > EXAMPLES { format!(" (and {} more)", copies.len() - EXAMPLES) } else { String::new() };
    Finding::fail(format!("{}{more}: the same bytes (size and SHA-256), whatever the name", said.join("; "))).at(line)
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    fn go_check() -> PathsCheck {
        PathsCheck {
            paths: vec!["/usr/local/go/**".into(), "**/*.go".into()],
            what: "the Go toolchain or Go sources".into(),
            copies_of: None,
        }
    }

    #[test]
    fn clean_image_passes() {
        let f = with_files(
            facts(SOLUTION),
            &[("base", 1), ("COPY /out/app /app # buildkit", 1)],
            &[("/app", 1), ("/etc/passwd", 0)],
        );
        assert!(absent(&go_check(), &f).passed);
    }

    #[test]
    fn offenders_are_traced_to_their_instruction_and_the_base() {
        let df = "FROM golang:1-trixie\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
        let f = with_files(
            facts(df),
            &[("base", 100), ("COPY . . # buildkit", 2), ("RUN /bin/sh -c go build -o /app . # buildkit", 5)],
            &[("/usr/local/go/bin/go", 0), ("/usr/local/go/bin/gofmt", 0), ("/src/main.go", 1), ("/app", 2)],
        );
        let r = absent(&go_check(), &f);
        assert!(!r.passed);
        assert_eq!(r.line, Some(3));
        assert_eq!(r.message, "3 paths of the Go toolchain or Go sources in the final image, e.g. /src/main.go, /usr/local/go/bin/go, /usr/local/go/bin/gofmt");
        assert_eq!(
            r.details[0],
            "2 paths (/usr/local/go/bin/go, /usr/local/go/bin/gofmt) from the base image golang:1-trixie"
        );
        assert_eq!(r.details[1], "1 path (/src/main.go) added by `COPY . .` (exercises/ex1/Dockerfile:3)");
    }
    #[test]
    fn a_renamed_copy_of_an_original_fails_and_a_deleted_one_does_not() {
        // The adversarial set's ex2/cheat-absent-make-renamed.
        let df = "FROM python:3.13-slim-trixie\nCOPY --from=build /usr/bin/make /usr/local/bin/gmake\n";
        let mut f = with_files(
            facts(df),
            &[("base", 100), ("COPY /usr/bin/make /usr/local/bin/gmake # buildkit", 1)],
            &[("/usr/local/bin/gmake", 1), ("/usr/bin/python3", 0)],
        );
        let spec = PathsCheck {
            paths: vec!["/usr/bin/make".into()],
            what: "make".into(),
            copies_of: Some(workbook::spec::CopiesOf {
                image: "python:3.13-trixie".into(),
                paths: vec!["/usr/bin/make".into(), "/usr/bin/gcc".into()],
            }),
        };
        f.originals = Some(crate::facts::image::Originals {
            image: "python:3.13-trixie".into(),
            files: vec![crate::facts::image::Original { path: "/usr/bin/make".into(), size: 1, sha256: [0; 32] }],
            missing: vec!["/usr/bin/gcc".into()],
        });
        let r = absent(&spec, &f);
        assert!(r.passed, "{}", r.message);
        assert_eq!(r.message, "the final image holds none of: make, nor a copy of /usr/bin/make from python:3.13-trixie under another name");
        assert_eq!(r.details, vec!["not compared (not a file of python:3.13-trixie up to 64 MiB): /usr/bin/gcc"]);
        let hit = CopyHit { path: "/usr/local/bin/gmake".into(), layer: 1, original: "/usr/bin/make".into() };
        f.image.as_mut().unwrap().copies = vec![hit.clone()];
        let r = absent(&spec, &f);
        assert!(!r.passed);
        assert_eq!(r.line, Some(2));
        assert_eq!(
            r.message,
            "/usr/local/bin/gmake is a copy of python:3.13-trixie's /usr/bin/make, added by \
             `COPY --from=build /usr/bin/make /usr/local/bin/gmake` (exercises/ex1/Dockerfile:2): the same bytes (size and \
             SHA-256), whatever the name"
        );
        // A copy a later layer replaced (or deleted) is not in the final filesystem.
        f.image.as_mut().unwrap().copies = vec![CopyHit { layer: 0, ..hit }];
        assert!(absent(&spec, &f).passed);
    }
}
