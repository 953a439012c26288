//! `present`: glob patterns that must each match something in the final filesystem (the
//! program, its certificates).

use super::{Cx, Finding};
use crate::facts::Facts;
use crate::glob::PathGlobs;
use workbook::spec::PathsCheck;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &PathsCheck, cx: &Cx<'_>) -> Finding {
    present(spec, cx.facts)
}

pub fn present(spec: &PathsCheck, facts: &Facts) -> Finding {
    let image = facts.image.as_ref().expect("judged only with an image");
    let mut missing = Vec::new();
    for pattern in &spec.paths {
        let Ok(g) = PathGlobs::new(std::slice::from_ref(pattern)) else {
            return Finding::fail(format!("bad pattern in the spec: {pattern}"));
        };
        if !image.files.keys().any(|p| g.matching(p).is_some()) {
            missing.push(pattern.as_str());
        }
    }
    if missing.is_empty() {
        Finding::pass(format!("{} present", spec.what))
    } else {
        Finding::fail(format!("{} missing from the final image: nothing matches {}", spec.what, missing.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    #[test]
    fn present_names_what_is_missing() {
        let f = with_files(facts(SOLUTION), &[("base", 1)], &[("/app", 0)]);
        let spec = PathsCheck {
            copies_of: None,
            paths: vec!["/app".into(), "/etc/ssl/certs/*.crt".into()],
            what: "the app and CA certificates".into(),
        };
        let r = present(&spec, &f);
        assert!(!r.passed && r.message.ends_with("nothing matches /etc/ssl/certs/*.crt"), "{}", r.message);
    }
}
