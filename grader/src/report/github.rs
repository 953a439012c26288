//! GitHub Actions: workflow-command annotations (shown on the pull request at the Dockerfile
//! line) and a Markdown step summary.

use dockerfile::lint::render::github::{data, property as prop};

use super::Report;
use crate::units::mb;

/// One `::error` annotation per failed check, one `::notice` for the total.
pub fn annotations(report: &Report) -> String {
    let mut out = String::new();
    for v in report.verdicts.iter().filter(|v| !v.passed) {
        let mut props = format!("file={}", prop(&report.dockerfile));
        if let Some(line) = v.line {
            props.push_str(&format!(",line={line}"));
        }
        props.push_str(&format!(",title={}", prop(&format!("{} {} ({} points)", report.exercise, v.id, v.max_points))));
        let mut msg = v.message.clone();
        for d in &v.details {
            msg.push_str(&format!("\n{d}"));
        }
        if let Some(h) = v.hints.first() {
            msg.push_str(&format!("\nhint: {h}"));
        }
        out.push_str(&format!("::error {props}::{}\n", data(&msg)));
    }
    out.push_str(&format!(
        "::notice title={}::{}\n",
        prop(&format!("{} score", report.exercise)),
        data(&format!("{}/{} points", report.score, report.max_score))
    ));
    out
}

/// The Markdown for `$GITHUB_STEP_SUMMARY`.
pub fn summary(report: &Report) -> String {
    let mut out = format!("### {} · {}\n\n", report.exercise, report.title);
    if let Some(size) = report.image_size {
        out.push_str(&format!("Image: **{}** of layer content. ", mb(size)));
    }
    out.push_str(&format!(
        "Score: **{}/{}**\n\n| check | result | points | detail |\n|---|---|---|---|\n",
        report.score, report.max_score
    ));
    for v in &report.verdicts {
        out.push_str(&format!(
            "| {} | {} | {}/{} | {} |\n",
            v.id,
            if v.passed { "✅ pass" } else { "❌ fail" },
            v.points,
            v.max_points,
            v.message.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn annotations_snapshot() {
        let text = super::annotations(&super::super::sample());
        assert_eq!(
            text,
            "::error file=exercises/ex1/Dockerfile,line=1,title=ex1 size (25 points)::812 MB of layer content, over the 20.0 MB budget%0A800 MB comes from the base image golang:1-trixie%0Ahint: Build in one stage, ship from another.\n::notice title=ex1 score::15/40 points\n"
        );
    }

    #[test]
    fn summary_is_a_markdown_table() {
        let text = super::summary(&super::super::sample());
        assert!(
            text.contains("| size | ❌ fail | 0/25 | 812 MB of layer content, over the 20.0 MB budget |"),
            "{text}"
        );
        assert!(text.contains("Score: **15/40**"));
    }
}
