//! `grader solution [id]`: the reference answer's files and how the learner's differ, once the
//! learner's own work passed (or with `--force`, which says it spoils the exercise).

use anyhow::{Context, Result};

use crate::error::advice;
use crate::exit::Outcome;
use crate::progress::Progress;
use workbook::Workbook;

pub fn run(workbook: &Workbook, exercise: Option<&str>, force: bool) -> Result<Outcome> {
    let e = workbook.exercise(exercise)?;
    let earned = Progress::load(&workbook.root).exercise(&e.id).is_some_and(|p| p.passed_once);
    if !earned && !force {
        crate::output::emit_text(&format!(
            "{id}: the reference solution opens once your own Dockerfile passes every check\n\
             (grader check {id}). Stuck? grader hint {id} gives the next hint.\n\
             To see it anyway: grader solution {id} --force (it spoils the exercise).\n",
            id = e.id
        ));
        return Ok(Outcome::Fail);
    }
    let dir = workbook.solution_dir(&e.id);
    if !dir.is_dir() {
        return Err(advice(format!("{} has no reference solution at {}", e.id, dir.display())));
    }
    let mut out = String::new();
    if !earned {
        out.push_str(&format!("SPOILER: the reference for {}, shown before your own passed (--force).\n\n", e.id));
    }
    let mut files = Vec::new();
    crate::workspace::walk(&dir, &mut |f| {
        if f.meta.is_file() {
            files.push(f.rel.to_path_buf());
        }
        Ok(true)
    })?;
    for rel in files {
        let theirs = dir.join(&rel);
        let reference = std::fs::read_to_string(&theirs).with_context(|| format!("reading {}", theirs.display()))?;
        let shown = format!("solutions/{}/{}", e.id, rel.display());
        out.push_str(&format!("== {shown}\n{reference}"));
        if !reference.ends_with('\n') {
            out.push('\n');
        }
        let yours_path = e.dir.join(&rel);
        match std::fs::read_to_string(&yours_path) {
            Ok(yours) if yours == reference => out.push_str("(yours is the same)\n\n"),
            Ok(yours) => out.push_str(&format!(
                "\n-- yours (exercises/{id}/{r}, -) against the reference (+):\n{}\n",
                crate::diff::render(&yours, &reference),
                id = e.id,
                r = rel.display()
            )),
            Err(_) => out.push_str(&format!("(you have no exercises/{}/{})\n\n", e.id, rel.display())),
        }
    }
    out.push_str("Yours can differ and still pass: the grader judges the image, not the text.\n");
    crate::output::emit_text(&out);
    Ok(Outcome::Pass)
}
