//! `absent`: glob patterns that must match nothing in the final filesystem. An offending path
//! is traced to the layer that added it, and that layer to its Dockerfile instruction or the
//! base image.

use std::collections::BTreeMap;

use super::{Cx, Finding};
use crate::facts::build::squash;
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
    if hits.is_empty() {
        return Finding::pass(format!("the final image holds none of: {}", spec.what));
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


#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    fn go_check() -> PathsCheck {
        PathsCheck {
            paths: vec!["/usr/local/go/**".into(), "**/*.go".into()],
            what: "the Go toolchain or Go sources".into(),
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
}
