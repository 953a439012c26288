//! `grader check <id>`: build the learner's Dockerfile and grade it; for a workbook's own
//! exercise, remember the verdict (`progress.rs`) and say what is next.

use anyhow::Result;

use super::grade::{grade, with_engine};
use crate::cli::BuildArgs;
use crate::exit::Outcome;
use crate::output::spinner;
use crate::plan::BuildOptions;
use crate::progress::{self, LastGrade, Progress};
use crate::report::{render, Format, Report};
use workbook::{Exercise, Workbook};

pub async fn run(
    workbook: Option<&Workbook>,
    exercise: &Exercise,
    build: BuildArgs,
    format: Format,
) -> Result<Outcome> {
    let report = grade_once(exercise, build).await?;
    let mut text = render(&report, format, crate::output::style());
    let workbook = workbook.filter(|w| is_in(w, exercise));
    if let Some(w) = workbook {
        record(w, &report, format == Format::Table);
        if format == Format::Table {
            text.push_str(&next_steps(w, &report));
        }
    }
    crate::output::emit(&text);
    if format == Format::Github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
            f.write_all(crate::report::github::summary(&report).as_bytes())?;
        }
    }
    Ok(if report.passed() { Outcome::Pass } else { Outcome::Fail })
}

/// One grading with a spinner, the engine cleaned up after it.
pub async fn grade_once(exercise: &Exercise, build: BuildArgs) -> Result<Report> {
    let opts = BuildOptions { pull: build.pull, builder: build.builder.into(), timeout: build.timeout };
    let progress = spinner();
    let report = with_engine(|engine| {
        let progress = &progress;
        async move { grade(&engine, exercise, &exercise.dir, opts, progress).await }
    })
    .await;
    progress.finish_and_clear();
    report
}

/// Whether the exercise is one of the workbook's own (a copy elsewhere is graded, not recorded).
pub fn is_in(workbook: &Workbook, exercise: &Exercise) -> bool {
    let canon = |p: &std::path::Path| p.canonicalize().ok();
    exercise.dir.parent().and_then(canon).is_some_and(|p| Some(p) == canon(&workbook.exercises_dir()))
}

/// Remembers the verdict (and, when the table showed each failed check's first hint, that the
/// learner has seen it: `grader hint` goes on from the second). A state file that cannot be
/// written costs a note, not the grading.
pub fn record(workbook: &Workbook, report: &Report, first_hints_shown: bool) {
    let mut p = Progress::load(&workbook.root);
    if first_hints_shown {
        let hints = &mut p.exercise_mut(&report.exercise).hints;
        for v in report.verdicts.iter().filter(|v| !v.passed && !v.hints.is_empty()) {
            let seen = hints.entry(v.id.clone()).or_default();
            *seen = (*seen).max(1);
        }
    }
    p.record(
        &report.exercise,
        LastGrade {
            score: report.score,
            max_score: report.max_score,
            failing: report.failed_ids().iter().map(|s| s.to_string()).collect(),
            build_failed: report.build.failure.is_some(),
            at: progress::now(),
        },
    );
    if let Err(e) = p.save(&workbook.root) {
        eprintln!("note: your progress was not saved: {e:#}");
    }
}

/// After a pass: the next exercise and the reference solution. After a failure the report
/// already points at `grader hint`.
pub fn next_steps(workbook: &Workbook, report: &Report) -> String {
    if !report.passed() {
        return String::new();
    }
    let ids: Vec<String> = workbook.exercises().map(|v| v.into_iter().map(|e| e.id).collect()).unwrap_or_default();
    let p = Progress::load(&workbook.root);
    let passed = ids.iter().filter(|id| p.passed(id)).count();
    let mut out = format!(
        "\n{} passed: {passed} of {} exercises done.\ncompare with the reference: grader solution {}\n",
        report.exercise,
        ids.len(),
        report.exercise
    );
    match p.next(&ids, Some(&report.exercise)) {
        Some(next) => out.push_str(&format!("next: grader check {next} (read its task: exercises/{next}/README.md)\n")),
        None => out.push_str("that was the last one: every exercise passes. Well done!\n"),
    }
    out
}
