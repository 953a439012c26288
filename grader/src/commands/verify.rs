//! `grader verify`: every starter fails exactly the checks its spec lists, and every reference
//! solution (overlaid on a temporary copy of its exercise) passes every check.

use anyhow::{Context, Result};

use super::grade::{grade, with_engine};
use crate::cli::BuildArgs;
use crate::exit::Outcome;
use crate::output::spinner;
use crate::plan::BuildOptions;
use crate::report::{table, Report};
use crate::workspace::{copy_tree, temp_copy};
use workbook::Exercise;
use workbook::Workbook;

/// The verdict on one exercise.
struct Verified {
    id: String,
    expected: Vec<String>,
    starter: Report,
    solution: Report,
}

impl Verified {
    fn starter_ok(&self) -> bool {
        let mut got: Vec<&str> = self.starter.failed_ids();
        let mut want: Vec<&str> = self.expected.iter().map(String::as_str).collect();
        got.sort();
        want.sort();
        got == want && self.starter.build.failure.is_none()
    }
    fn solution_ok(&self) -> bool {
        self.solution.passed()
    }
}

pub async fn run(workbook: &Workbook, ids: &[String], build: BuildArgs) -> Result<Outcome> {
    let exercises: Vec<Exercise> = if ids.is_empty() {
        workbook.exercises()?
    } else {
        ids.iter().map(|id| workbook.exercise(Some(id))).collect::<Result<_>>()?
    };
    let opts = BuildOptions { pull: build.pull, builder: build.builder.into(), timeout: build.timeout };
    let progress = spinner();
    let results = with_engine(|engine| {
        let (exercises, progress) = (&exercises, &progress);
        async move {
            let mut results = Vec::new();
            for e in exercises {
                let starter = grade(&engine, e, &e.dir, opts, progress)
                    .await
                    .with_context(|| format!("grading the {} starter", e.id))?;
                let solution_dir = workbook.solution_dir(&e.id);
                if !solution_dir.is_dir() {
                    anyhow::bail!("{} has no reference solution at {}", e.id, solution_dir.display());
                }
                let overlay = temp_copy(&e.dir).await?;
                copy_tree(&solution_dir, overlay.path())?;
                let solution = grade(&engine, e, overlay.path(), opts, progress)
                    .await
                    .with_context(|| format!("grading the {} solution", e.id))?;
                let v = Verified { id: e.id.clone(), expected: e.spec.starter.fails.clone(), starter, solution };
                crate::output::say(
                    progress,
                    format!(
                        "{}: starter {}, solution {}",
                        v.id,
                        if v.starter_ok() { "fails as intended" } else { "does NOT fail as its spec says" },
                        if v.solution_ok() { "passes" } else { "FAILS" }
                    ),
                );
                results.push(v);
            }
            Ok(results)
        }
    })
    .await;
    progress.finish_and_clear();
    let results = results?;

    let mut t = crate::output::table(crate::output::style());
    t.set_header(vec![
        "exercise",
        "starter should fail",
        "starter failed",
        "starter size",
        "solution",
        "solution size",
        "ok",
    ]);
    let mut all_ok = true;
    for v in &results {
        let ok = v.starter_ok() && v.solution_ok();
        all_ok &= ok;
        t.add_row(vec![
            v.id.clone(),
            v.expected.join(" "),
            v.starter.failed_ids().join(" "),
            v.starter.image_size.map(crate::units::mb).unwrap_or_default(),
            format!("{}/{}", v.solution.score, v.solution.max_score),
            v.solution.image_size.map(crate::units::mb).unwrap_or_default(),
            if ok { "yes".into() } else { "NO".into() },
        ]);
    }
    let mut out = String::new();
    for v in results.iter().filter(|v| !v.starter_ok()) {
        out.push_str(&format!(
            "\nstarter of {} (expected to fail exactly: {}):\n{}",
            v.id,
            v.expected.join(", "),
            table::render(&v.starter, crate::output::style())
        ));
    }
    for v in results.iter().filter(|v| !v.solution_ok()) {
        out.push_str(&format!("\nsolution of {}:\n{}", v.id, table::render(&v.solution, crate::output::style())));
    }
    out.push_str(&format!("{t}\n"));
    crate::output::emit_text(&out);
    Ok(if all_ok { Outcome::Pass } else { Outcome::Fail })
}
