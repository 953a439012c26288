//! `grader hint [id]`: the hint ladder. Each run reveals one more hint, for the first failing
//! check of the last grading that has one left (vaguest first), then the exercise-wide ladder;
//! how far the learner went is remembered in the state file (`progress.rs`). `--all` shows
//! what was revealed so far and reveals nothing.

use anyhow::Result;

use crate::exit::Outcome;
use crate::output::wrap;
use crate::progress::{ExerciseProgress, Progress, EXERCISE_LADDER};
use workbook::spec::Spec;
use workbook::Workbook;

/// One rung of a ladder.
#[derive(Debug, PartialEq, Eq)]
pub struct Rung<'a> {
    /// A check id, or [`EXERCISE_LADDER`].
    pub ladder: &'a str,
    /// 0-based position in the ladder.
    pub index: usize,
    pub of: usize,
    pub text: &'a str,
    /// The book section to read, relative to `book/src/`.
    pub book: &'a str,
}

/// The ladders to climb, in order: the failing checks of the last grading (spec order), then
/// the exercise's own. Before any grading, or when the build failed, the exercise's own first.
fn ladders<'a>(spec: &'a Spec, progress: Option<&ExerciseProgress>) -> Vec<(&'a str, &'a [String], &'a str)> {
    let exercise = (EXERCISE_LADDER, spec.hints.as_slice(), spec.book.as_str());
    let last = progress.and_then(|p| p.last.as_ref());
    let failing: Vec<_> = spec
        .checks
        .iter()
        .filter(|c| last.is_some_and(|l| l.failing.contains(&c.id)))
        .map(|c| (c.id.as_str(), c.hints.as_slice(), c.book.as_deref().unwrap_or(&spec.book)))
        .collect();
    match last {
        Some(l) if !l.build_failed => failing.into_iter().chain([exercise]).collect(),
        _ => [exercise].into_iter().chain(failing).collect(),
    }
}

/// The next hint to reveal, if any is left.
pub fn next<'a>(spec: &'a Spec, progress: Option<&ExerciseProgress>) -> Option<Rung<'a>> {
    ladders(spec, progress).into_iter().find_map(|(ladder, hints, book)| {
        let seen = progress.and_then(|p| p.hints.get(ladder)).copied().unwrap_or(0);
        hints.get(seen).map(|text| Rung { ladder, index: seen, of: hints.len(), text, book })
    })
}

/// Every hint revealed so far: the exercise's own ladder, then each check's, in spec order.
pub fn revealed<'a>(spec: &'a Spec, progress: Option<&ExerciseProgress>) -> Vec<Rung<'a>> {
    let all = [(EXERCISE_LADDER, spec.hints.as_slice(), spec.book.as_str())].into_iter().chain(
        spec.checks.iter().map(|c| (c.id.as_str(), c.hints.as_slice(), c.book.as_deref().unwrap_or(&spec.book))),
    );
    let mut out = Vec::new();
    for (ladder, hints, book) in all {
        let seen = progress.and_then(|p| p.hints.get(ladder)).copied().unwrap_or(0).min(hints.len());
        for (index, text) in hints[..seen].iter().enumerate() {
            out.push(Rung { ladder, index, of: hints.len(), text, book });
        }
    }
    out
}

fn name(rung: &Rung<'_>) -> String {
    if rung.ladder == EXERCISE_LADDER {
        format!("hint {} of {} for the exercise", rung.index + 1, rung.of)
    } else {
        format!("hint {} of {} for `{}`", rung.index + 1, rung.of, rung.ladder)
    }
}

pub fn run(workbook: &Workbook, exercise: Option<&str>, all: bool) -> Result<Outcome> {
    crate::output::emit_text(&text(workbook, exercise, all)?);
    Ok(Outcome::Pass)
}

/// What `grader hint` prints; reveals (and remembers) the next hint unless `all`.
pub fn text(workbook: &Workbook, exercise: Option<&str>, all: bool) -> Result<String> {
    let e = workbook.exercise(exercise)?;
    let mut progress = Progress::load(&workbook.root);
    let width = crate::output::style().width;
    let mine = progress.exercise(&e.id).cloned();
    let mut out = format!("{} · {}\n", e.id, e.spec.title);
    if all {
        let shown = revealed(&e.spec, mine.as_ref());
        if shown.is_empty() {
            out.push_str(&format!("no hint revealed yet: `grader hint {}` reveals the first\n", e.id));
        }
        for r in shown {
            out.push_str(&format!("{}:\n", name(&r)));
            out.push_str(&wrap(r.text, width, "  ", "  "));
            out.push_str(&format!("  read: book/src/{}\n", r.book));
        }
        return Ok(out);
    }
    let last = mine.as_ref().and_then(|m| m.last.as_ref());
    if last.is_some_and(|l| l.passed()) {
        out.push_str(&format!(
            "your last grading passed every check: no hint needed.\ncompare with the reference: grader solution {}\n",
            e.id
        ));
        return Ok(out);
    }
    match next(&e.spec, mine.as_ref()) {
        Some(r) => {
            out.push_str(&format!("{}:\n", name(&r)));
            out.push_str(&wrap(r.text, width, "  ", "  "));
            out.push_str(&format!("read: book/src/{}\n", r.book));
            if last.is_none() {
                out.push_str(&format!("grade it (`grader check {}`) and the hints will aim at what fails\n", e.id));
            }
            out.push_str(&format!("stuck still? run it again for the next · all so far: grader hint {} --all\n", e.id));
            progress.exercise_mut(&e.id).hints.insert(r.ladder.to_string(), r.index + 1);
            progress.save(&workbook.root)?;
        }
        None => out.push_str(&format!(
            "you have seen every hint for what fails (grader hint {id} --all shows them).\n\
             read: book/src/{}\nthe reference, if you must: grader solution {id} --force (it spoils the exercise)\n",
            e.spec.book,
            id = e.id
        )),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::LastGrade;

    fn spec() -> Spec {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../exercises/ex1");
        workbook::Exercise::load(&dir).unwrap().spec
    }

    fn failing(ids: &[&str]) -> ExerciseProgress {
        ExerciseProgress {
            last: Some(LastGrade {
                score: 0,
                max_score: 100,
                failing: ids.iter().map(|s| s.to_string()).collect(),
                build_failed: false,
                at: String::new(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn climbs_the_first_failing_check_then_the_next_then_the_exercise() {
        let spec = spec();
        let mut p = failing(&["cache", "user"]);
        let mut seen = Vec::new();
        while let Some(r) = next(&spec, Some(&p)) {
            seen.push((r.ladder.to_string(), r.index));
            p.hints.insert(r.ladder.to_string(), r.index + 1);
        }
        // The spec lists user before cache.
        let want =
            [("user", 0), ("user", 1), ("cache", 0), ("cache", 1), ("exercise", 0), ("exercise", 1), ("exercise", 2)];
        assert_eq!(seen, want.map(|(l, i)| (l.to_string(), i)));
        assert_eq!(revealed(&spec, Some(&p)).len(), 7);
    }

    #[test]
    fn before_any_grading_the_exercise_ladder_comes_first_and_names_the_page() {
        let spec = spec();
        let r = next(&spec, None).unwrap();
        assert_eq!((r.ladder, r.index, r.book), ("exercise", 0, "exercises/ex1.md"));
        assert!(revealed(&spec, None).is_empty());
    }
}
