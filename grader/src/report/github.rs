//! GitHub Actions: workflow-command annotations (shown on the pull request at the Dockerfile
//! line), the failed build's output folded in a log group, and a Markdown step summary.

use dockerfile::lint::render::github::{data, property as prop};

use super::{Grading, Report};
use crate::units::mb;

/// Per exercise: a failed build as one `::error` on its line plus its output in a `::group::`;
/// one `::error` per failed check (the checks a failed build left unmeasured as one line, so
/// GitHub's 10 annotations a step are spent on causes); a `::notice` with the score. An
/// exercise that could not be graded is an `::error` that says so. Several exercises end with a
/// `::notice` of the total.
pub fn annotations(grading: &Grading) -> String {
    let mut out = String::new();
    for e in grading.errors() {
        out.push_str(&format!(
            "::error title={}::{}\n",
            prop(&format!("{}: could not grade (not a failed check)", e.exercise)),
            data(&e.message)
        ));
    }
    for r in grading.reports() {
        out.push_str(&report_annotations(r));
    }
    if grading.exercises.len() > 1 {
        out.push_str(&format!(
            "::notice title={}::{}\n",
            prop("total"),
            data(&format!("{}/{} points", grading.score(), grading.max_score()))
        ));
    }
    out
}

fn report_annotations(report: &Report) -> String {
    let mut out = String::new();
    let file = prop(&report.dockerfile);
    let unmeasured =
        |v: &&crate::checks::Verdict| report.build.failure.is_some() && v.message.starts_with("not measured");
    if let Some(f) = &report.build.failure {
        let line = f.line.map(|l| format!(",line={l}")).unwrap_or_default();
        let mut msg = f.message.trim().to_string();
        for l in &f.output {
            msg.push_str(&format!("\n| {l}"));
        }
        msg.push_str(&format!("\nhint: {}", f.hint(&report.dockerfile)));
        let title = prop(&format!("{}: {}", report.exercise, f.headline(&report.dockerfile)));
        out.push_str(&format!("::error file={file}{line},title={title}::{}\n", data(&msg)));
        if !f.output.is_empty() {
            out.push_str(&format!("::group::{} build output (last {} lines)\n", report.exercise, f.output.len()));
            // Prefixed, so a line the learner's build printed can never be a workflow command.
            for l in &f.output {
                out.push_str(&format!("| {l}\n"));
            }
            out.push_str("::endgroup::\n");
        }
        let skipped: Vec<&crate::checks::Verdict> = report.verdicts.iter().filter(unmeasured).collect();
        if !skipped.is_empty() {
            let ids: Vec<&str> = skipped.iter().map(|v| v.id.as_str()).collect();
            let points: u32 = skipped.iter().map(|v| v.max_points).sum();
            out.push_str(&format!(
                "::error file={file},title={}::{}\n",
                prop(&format!("{}: {} checks not measured ({points} points)", report.exercise, ids.len())),
                data(&format!("the build failed, so these were not measured: {}", ids.join(", ")))
            ));
        }
    }
    for v in report.verdicts.iter().filter(|v| !v.passed && !unmeasured(v)) {
        let mut props = format!("file={file}");
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
pub fn summary(grading: &Grading) -> String {
    let mut out = String::new();
    for e in grading.errors() {
        out.push_str(&format!(
            "### {} · could not grade\n\nThe grader could not do its job (not a failed check):\n\n```text\n{}\n```\n\n",
            e.exercise,
            e.message.replace("```", "'''")
        ));
    }
    for r in grading.reports() {
        out.push_str(&report_summary(r));
    }
    if grading.exercises.len() > 1 {
        out.push_str(&format!("**Total: {}/{}**\n", grading.score(), grading.max_score()));
    }
    out
}

fn report_summary(report: &Report) -> String {
    let mut out = format!("### {} · {}\n\n", report.exercise, report.title);
    if let Some(size) = report.image_size {
        out.push_str(&format!("Image: **{}** of layer content. ", mb(size)));
    }
    out.push_str(&format!("Score: **{}/{}**\n\n", report.score, report.max_score));
    if let Some(f) = &report.build.failure {
        out.push_str(&format!("❌ {}\n\n```text\n", f.headline(&report.dockerfile).replace('`', "'")));
        for l in &f.output {
            out.push_str(&format!("{}\n", l.replace("```", "'''")));
        }
        out.push_str(&format!(
            "{}\n```\n\nhint: {}\n\n",
            f.message.trim().replace("```", "'''"),
            f.hint(&report.dockerfile)
        ));
    }
    out.push_str("| check | result | points | detail |\n|---|---|---|---|\n");
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
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use crate::report::{sample, sample_build_failed, sample_error, Graded, Grading};

    fn one(r: crate::report::Report) -> Grading {
        Grading::one(Graded::Done(Box::new(r)))
    }

    #[test]
    fn annotations_snapshot() {
        let text = super::annotations(&one(sample()));
        assert_eq!(
            text,
            "::error file=exercises/ex1/Dockerfile,line=1,title=ex1 size (25 points)::812 MB of layer content, over the 20.0 MB budget%0A800 MB comes from the base image golang:1-trixie%0Ahint: Build in one stage, ship from another.\n::notice title=ex1 score::15/40 points\n"
        );
    }

    #[test]
    fn a_build_failure_is_annotated_on_its_line_with_its_output_grouped() {
        let text = super::annotations(&one(sample_build_failed()));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("::error file=exercises/ex1/Dockerfile,line=11,title=ex1%3A the build failed at [build 5/6] RUN go biuld"), "{text}");
        assert!(
            lines[0].contains("%0A| go: unknown command \"biuld\"%0A") && lines[0].contains("hint: Read the step"),
            "{text}"
        );
        assert_eq!(lines[1], "::group::ex1 build output (last 2 lines)");
        assert_eq!(lines[2], "| go: unknown command \"biuld\"");
        assert_eq!(lines[3], "| ::warning::planted by the learner", "learner output never starts a line");
        assert_eq!(lines[4], "::endgroup::");
        assert!(lines[5].contains("2 checks not measured (40 points)") && lines[5].contains("size, smoke"), "{text}");
        assert_eq!(lines.len(), 7, "{text}");
    }

    #[test]
    fn an_error_is_an_error_annotation() {
        let text = super::annotations(&sample_error());
        assert!(
            text.starts_with("::error title=ex1%3A could not grade (not a failed check)::Docker is not running"),
            "{text}"
        );
        assert!(super::summary(&sample_error()).contains("could not grade"));
    }

    #[test]
    fn summary_is_a_markdown_table() {
        let text = super::summary(&one(sample()));
        assert!(
            text.contains("| size | ❌ fail | 0/25 | 812 MB of layer content, over the 20.0 MB budget |"),
            "{text}"
        );
        assert!(text.contains("Score: **15/40**"));
        let failed = super::summary(&one(sample_build_failed()));
        assert!(
            failed.contains("❌ the build failed at [build 5/6] RUN go biuld")
                && failed.contains("go: unknown command"),
            "{failed}"
        );
    }
}
