//! `grader list`: the exercises with the learner's progress (status, last score) and overall
//! progress, as wide as the terminal.

use anyhow::Result;

use crate::exit::Outcome;
use crate::progress::Progress;
use workbook::Workbook;

pub fn run(workbook: &Workbook) -> Result<Outcome> {
    crate::output::emit_text(&text(workbook)?);
    Ok(Outcome::Pass)
}

/// The listing, as `grader list` prints it.
pub fn text(workbook: &Workbook) -> Result<String> {
    let exercises = workbook.loadable_exercises();
    let progress = Progress::load(&workbook.root);
    let ids: Vec<String> = exercises.iter().map(|e| e.id.clone()).collect();
    let next = progress.next(&ids, None);
    let mut table = crate::output::table(crate::output::style());
    table.set_header(vec!["", "id", "exercise", "status", "score"]);
    let (mut passed, mut score, mut max) = (0, 0, 0);
    for e in &exercises {
        let last = progress.exercise(&e.id).and_then(|p| p.last.as_ref());
        let status = match last {
            None => "not started".to_string(),
            Some(l) if l.passed() => "passed".to_string(),
            Some(l) if l.build_failed => "build fails".to_string(),
            Some(l) => format!("{} failing", l.failing.len()),
        };
        passed += usize::from(last.is_some_and(|l| l.passed()));
        score += last.map_or(0, |l| l.score);
        max += e.spec.total_points();
        table.add_row(vec![
            if Some(e.id.as_str()) == next { ">".to_string() } else { String::new() },
            e.id.clone(),
            format!("{} ({})", e.spec.title, e.spec.language),
            status,
            last.map_or("-".to_string(), |l| format!("{}/{}", l.score, l.max_score)),
        ]);
    }
    let mut out =
        format!("{table}\nprogress: {passed} of {} exercises passed · {score}/{max} points\n", exercises.len());
    for (folder, why) in workbook.unlisted() {
        let why = why.replace('\n', "\n    ");
        out.push_str(&format!(
            "not listed: exercises/{folder}/ ({why})\n  fix or restore its spec: git checkout -- exercises/{folder}/exercise.toml\n"
        ));
    }
    match next {
        Some(id) => out.push_str(&format!("next: grader check {id} · its task: exercises/{id}/README.md\n")),
        None => out.push_str("every exercise passes: well done!\n"),
    }
    Ok(out)
}
