//! `grader` with no command: a welcome on the first visit (what the workbook is, how to start),
//! afterwards where the learner is and what to do next, from the state file.

use anyhow::Result;

use crate::exit::Outcome;
use crate::progress::Progress;
use workbook::Workbook;

pub fn run(workbook: &Workbook) -> Result<Outcome> {
    let exercises = workbook.exercises()?;
    let ids: Vec<String> = exercises.iter().map(|e| e.id.clone()).collect();
    let progress = Progress::load(&workbook.root);
    let first = ids.first().map(String::as_str).unwrap_or("ex1");
    let mut out = String::new();
    if !progress.started() {
        out.push_str(&format!(
            "Welcome to the Docker multi-stage build workbook.\n\n\
             Each of the {n} exercises is a small app whose Dockerfile works, but badly: a\n\
             huge image, running as root, rebuilding everything on every edit. You rewrite\n\
             the Dockerfile; the grader builds it on your Docker engine and says what still\n\
             fails.\n\n\
             Start here:\n  \
             1. read the task:      exercises/{first}/README.md (the book: book/src/how-to-use.md)\n  \
             2. grade the starter:  grader check {first}   (it fails on purpose)\n  \
             3. edit exercises/{first}/Dockerfile, and grade again (or: grader watch {first})\n\n\
             Stuck? grader hint {first} gives one hint at a time, the vaguest first.\n\
             grader list shows every exercise and your progress.\n\
             grader doctor checks that this machine is ready.\n",
            n = ids.len()
        ));
        crate::output::emit_text(&out);
        return Ok(Outcome::Pass);
    }
    let passed = ids.iter().filter(|id| progress.passed(id)).count();
    out.push_str(&format!("Docker multi-stage workbook: {passed} of {} exercises passed.\n", ids.len()));
    // The most recently graded exercise is where the learner is.
    let latest = progress
        .exercises
        .iter()
        .filter_map(|(id, p)| p.last.as_ref().map(|l| (l.at.as_str(), id.as_str(), l)))
        .max_by_key(|(at, _, _)| *at);
    if let Some((_, id, l)) = latest {
        if l.passed() {
            out.push_str(&format!("last: {id} passed ({}/{}).\n", l.score, l.max_score));
        } else {
            let what = if l.build_failed {
                "the build failed".to_string()
            } else {
                format!("{} failing: {}", l.failing.len(), l.failing.join(", "))
            };
            out.push_str(&format!("last: {id}, {}/{} ({what}).\n", l.score, l.max_score));
            out.push_str(&format!("go on: grader check {id} · a hint: grader hint {id}\n"));
            crate::output::emit_text(&out);
            return Ok(Outcome::Pass);
        }
    }
    match progress.next(&ids, latest.map(|(_, id, _)| id)) {
        Some(next) => {
            out.push_str(&format!("next: {next}, read exercises/{next}/README.md, then: grader check {next}\n"))
        }
        None => out.push_str("every exercise passes: well done! grader solution <id> shows the reference answers.\n"),
    }
    out.push_str("everything: grader list\n");
    crate::output::emit_text(&out);
    Ok(Outcome::Pass)
}
