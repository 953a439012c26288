//! `grader reset <id>`: put the starter files back (the learner asked for it explicitly; this
//! is the only command that writes into an exercise folder).

use anyhow::{Context, Result};

use crate::error::advice;
use crate::exit::Outcome;
use workbook::spec::PRISTINE_DIR;
use workbook::Workbook;

pub fn run(workbook: &Workbook, exercise: Option<&str>) -> Result<Outcome> {
    let e = workbook.exercise(exercise)?;
    let pristine = e.dir.join(PRISTINE_DIR);
    if !pristine.is_dir() {
        return Err(advice(format!("{} has no {PRISTINE_DIR}/ folder to reset from", e.dir.display())));
    }
    let mut restored = Vec::new();
    restore(&pristine, &e.dir, &pristine, &mut restored)?;
    let mut removed = Vec::new();
    for extra in e.optional_learner_files() {
        let (yours, original) = (e.dir.join(&extra), pristine.join(&extra));
        if yours.is_file() && !original.exists() {
            std::fs::remove_file(&yours).with_context(|| format!("removing {}", yours.display()))?;
            removed.push(extra);
        }
    }
    let mut out = format!("{}: restored the starter's ", e.id);
    out.push_str(&restored.join(", "));
    if !removed.is_empty() {
        out.push_str(&format!("; removed {} (the starter has none)", removed.join(", ")));
    }
    out.push('\n');
    crate::output::emit(&out);
    Ok(Outcome::Pass)
}

fn restore(
    from: &std::path::Path,
    to: &std::path::Path,
    root: &std::path::Path,
    restored: &mut Vec<String>,
) -> Result<()> {
    crate::workspace::walk(from, &mut |e| {
        let target = to.join(e.rel);
        if e.meta.is_dir() {
            std::fs::create_dir_all(&target)?;
        } else {
            std::fs::copy(e.path, &target).with_context(|| format!("writing {}", target.display()))?;
            restored.push(e.path.strip_prefix(root).unwrap_or(e.path).display().to_string());
        }
        Ok(true)
    })
}
