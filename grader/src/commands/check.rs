//! `grader check [ids…|--all]`: build the learners' Dockerfiles and grade them in one run, one
//! engine session; the report in `--format` on stdout and in each `--output FORMAT=PATH`. For a
//! workbook's own exercise, remember the verdict (`progress.rs`) and say what is next. An
//! exercise that cannot be graded is an error in every report, never a failed check.

use std::path::Path;

use anyhow::{Context, Result};

use super::grade::{grade, with_engine};
use crate::cli::{BuildArgs, OutputFile};
use crate::exit::Outcome;
use crate::output::spinner;
use crate::plan::BuildOptions;
use crate::progress::{self, LastGrade, Progress};
use crate::report::{self, render_grading, Format, GradeError, Graded, Grading, Report, Status};
use workbook::{Exercise, Workbook};

/// What `grader check` was asked to grade.
pub struct Request {
    /// Ids or folders; empty: the exercise folder the user is in (or every one with `all`).
    pub exercises: Vec<String>,
    pub all: bool,
    pub build: BuildArgs,
    pub format: Format,
    pub outputs: Vec<OutputFile>,
}

pub async fn run(root: Option<&Path>, req: Request) -> Result<Outcome> {
    let workbook = Workbook::find(root);
    let targets = resolve(workbook.as_ref().map_err(|e| anyhow::anyhow!("{e:#}")), &req);
    let workbook = workbook.ok();
    // Only the workbook's own exercises are remembered (a copy elsewhere is graded, not recorded).
    let own: Vec<bool> =
        targets.iter().map(|(_, e)| matches!((&workbook, e), (Some(w), Ok(e)) if is_in(w, e))).collect();
    let grading = grade_all(targets, req.build).await;

    if let Some(w) = &workbook {
        for (g, own) in grading.exercises.iter().zip(&own) {
            if let (Graded::Done(r), true) = (g, own) {
                record(w, r, req.format == Format::Table);
            }
        }
    }
    let mut text = render_grading(&grading, req.format, crate::output::style());
    if let (Format::Table, [Graded::Done(r)], Some(w), [true]) =
        (req.format, grading.exercises.as_slice(), &workbook, own.as_slice())
    {
        text.push_str(&next_steps(w, r));
    }
    crate::output::emit(&text);
    for e in grading.errors() {
        eprintln!("error: {}: {}", e.exercise, e.message);
    }

    let mut written = true;
    for out in &req.outputs {
        // A file is read by a program, not a terminal: plain ASCII at 80 columns for a table.
        let text = render_grading(&grading, out.format, crate::output::Style::PLAIN);
        if let Err(e) = write_report(&out.path, &text) {
            eprintln!("error: {e:#}");
            written = false;
        }
    }
    if req.format == Format::Github || req.outputs.iter().any(|o| o.format == Format::Github) {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            if let Err(e) = append(Path::new(&path), &report::github::summary(&grading)) {
                eprintln!("note: the step summary was not written: {e:#}");
            }
        }
    }
    Ok(match grading.status() {
        Status::Error => Outcome::CouldNotGrade,
        _ if !written => Outcome::CouldNotGrade,
        Status::Fail => Outcome::Fail,
        Status::Pass => Outcome::Pass,
    })
}

/// The exercises asked for, each loaded or the error that kept it from loading, named as asked.
fn resolve(workbook: Result<&Workbook>, req: &Request) -> Vec<(String, Result<Exercise>)> {
    if req.all {
        return match workbook.and_then(|w| w.exercises()) {
            Ok(all) if all.is_empty() => vec![("all".into(), Err(anyhow::anyhow!("the workbook has no exercises")))],
            Ok(all) => all.into_iter().map(|e| (e.id.clone(), Ok(e))).collect(),
            Err(e) => vec![("all".into(), Err(e))],
        };
    }
    if req.exercises.is_empty() {
        let e = workbook.and_then(|w| w.exercise(None));
        let name = e.as_ref().map(|e| e.id.clone()).unwrap_or_else(|_| "exercise".into());
        return vec![(name, e)];
    }
    req.exercises
        .iter()
        .map(|asked| {
            // A folder with an exercise.toml is graded as it is, workbook or not.
            let e = if Path::new(asked).join(workbook::spec::SPEC_FILE).is_file() {
                Exercise::load(Path::new(asked))
            } else {
                match &workbook {
                    Ok(w) => w.exercise(Some(asked)),
                    Err(e) => Err(anyhow::anyhow!("{e:#}")),
                }
            };
            let name = e.as_ref().map(|e| e.id.clone()).unwrap_or_else(|_| asked.clone());
            (name, e)
        })
        .collect()
}

/// Grades each exercise in one engine session (a spinner on a terminal, a line per build step
/// elsewhere). Every exercise gets a report or the error that kept it from one: an engine that
/// cannot be reached is every exercise's error.
pub async fn grade_all(targets: Vec<(String, Result<Exercise>)>, build: BuildArgs) -> Grading {
    let opts = BuildOptions { pull: build.pull, builder: build.builder.into(), timeout: build.timeout };
    let loadable = targets.iter().any(|(_, e)| e.is_ok());
    let progress = spinner();
    let mut results: Vec<Option<Result<Report>>> = targets.iter().map(|_| None).collect();
    let session = if loadable {
        let results = &mut results;
        let progress = &progress;
        let targets = &targets;
        with_engine(|engine| async move {
            for (slot, (_, exercise)) in results.iter_mut().zip(targets) {
                if let Ok(exercise) = exercise {
                    *slot = Some(grade(&engine, exercise, &exercise.dir, opts, progress).await);
                }
            }
            Ok(())
        })
        .await
    } else {
        Ok(())
    };
    progress.finish_and_clear();
    let session_error = session.err().map(|e| crate::error::describe(&e));
    let exercises = targets
        .into_iter()
        .zip(results)
        .map(|((name, exercise), result)| {
            let max_score = exercise.as_ref().ok().map(|e| e.spec.checks.iter().map(|c| c.points).sum());
            let error = |message: String| Graded::Error(GradeError { exercise: name.clone(), message, max_score });
            match (exercise, result) {
                (Err(e), _) => error(crate::error::describe(&e)),
                (Ok(_), Some(Ok(report))) => Graded::Done(Box::new(report)),
                (Ok(_), Some(Err(e))) => error(crate::error::describe(&e)),
                (Ok(_), None) => error(session_error.clone().unwrap_or_else(|| "not graded".into())),
            }
        })
        .collect();
    Grading { exercises }
}

/// Writes a report file (its folder made if missing), replacing one that is there.
fn write_report(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing the report to {}", path.display()))
}

fn append(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::Parser;

    use crate::cli::{Cli, Command};
    use crate::report::Format;

    #[test]
    fn the_classroom_template_runs_a_command_the_grader_accepts() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/github-classroom.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        let line = text.lines().map(str::trim).find(|l| l.starts_with("grader check")).expect("a grader check line");
        let words = line.split(" || ").next().unwrap().split_whitespace();
        let Some(Command::Check { all, output, .. }) = Cli::try_parse_from(words).unwrap().command else {
            panic!("not a check: {line}")
        };
        assert!(all);
        let classroom = output.iter().find(|o| o.format == Format::Classroom).expect("a Classroom report");
        assert!(text.contains(&format!("base64 -w0 {}", classroom.path.display())), "the reporter gets that file");
        // The reporter reads the runner `grader`'s results from GRADER_RESULTS.
        assert!(
            text.contains("runners: grader") && text.contains("GRADER_RESULTS: \"${{ steps.grader.outputs.result }}\"")
        );
    }

    #[test]
    fn output_takes_format_equals_path() {
        let parse =
            |arg: &str| Cli::try_parse_from(["grader", "check", "ex1", "--output", arg]).map_err(|e| e.to_string());
        assert!(parse("junit=out/report.xml").is_ok());
        assert!(parse("xml=report.xml").unwrap_err().contains("use one of table, json, junit, github, classroom"));
        assert!(parse("report.xml").unwrap_err().contains("expected FORMAT=PATH"));
        assert!(parse("junit=").unwrap_err().contains("no path after junit="));
    }
}
