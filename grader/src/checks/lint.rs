//! `lint`: selected lint rules report nothing on the Dockerfile (stage-aware, engine-free).

use super::{Cx, Finding};
use crate::facts::Facts;
use workbook::spec::LintCheck;

pub const NEEDS_IMAGE: bool = false;

pub fn judge(spec: &LintCheck, cx: &Cx<'_>) -> Finding {
    check(spec, cx.spec.build.target.as_deref(), cx.facts)
}

pub fn check(spec: &LintCheck, target: Option<&str>, facts: &Facts) -> Finding {
    let df = match &facts.dockerfile {
        Ok(df) => df,
        Err(e) => return Finding::fail(format!("the Dockerfile could not be read: {e}")),
    };
    let wanted: Vec<&str> = spec.rules.iter().filter_map(|r| dockerfile::lint::rule(r)).map(|r| r.id).collect();
    // A graded rule cannot be silenced by the learner's own `# grader ignore=` pragma.
    let opts = dockerfile::LintOptions { target: target.map(str::to_string), ignore: vec![], no_pragmas: true };
    let findings: Vec<dockerfile::Finding> =
        dockerfile::lint(df, &opts).into_iter().filter(|f| wanted.contains(&f.rule)).collect();
    if findings.is_empty() {
        return Finding::pass(format!("no findings for {}", wanted.join(", ")));
    }
    let details =
        findings.iter().map(|f| format!("{}:{} {} {}", facts.dockerfile_path, f.line, f.rule, f.message)).collect();
    Finding::fail(format!(
        "{} finding{} ({}); `grader lint {}` shows them, `grader explain <rule>` explains",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        {
            let mut ids: Vec<&str> = findings.iter().map(|f| f.rule).collect();
            ids.dedup();
            ids.join(", ")
        },
        facts.dockerfile_path
    ))
    .at(findings.first().map(|f| f.line))
    .with_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    #[test]
    fn apt_hygiene_rules() {
        let spec = LintCheck { rules: vec!["GR002".into(), "GR003".into()] };
        let bad = "FROM debian:trixie-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n";
        let r = check(&spec, None, &facts(bad));
        assert!(!r.passed);
        assert_eq!(r.line, Some(2));
        assert!(r.message.starts_with("2 findings (GR002, GR003)"), "{}", r.message);
        let good = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n";
        assert!(check(&spec, None, &facts(good)).passed);
    }

    #[test]
    fn a_pragma_cannot_silence_a_graded_rule() {
        let spec = LintCheck { rules: vec!["GR002".into()] };
        let df = "FROM debian:trixie-slim\n# grader ignore=GR002\nRUN apt-get update\n";
        assert!(!check(&spec, None, &facts(df)).passed);
    }
}
