//! `grader reset <id>`: put the starter files back (the learner asked for it explicitly; this
//! is the only command that writes into an exercise folder). The learner's files are first
//! copied to a timestamped backup in the workbook's `.grader-backups/`; only the starter's own
//! files are restored, and files the starter does not have stay unless `--remove-added`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::advice;
use crate::exit::Outcome;
use workbook::spec::PRISTINE_DIR;
use workbook::{Exercise, Workbook};

/// The backups' folder in the workbook root (ignored by git, like the state file).
pub const BACKUPS_DIR: &str = ".grader-backups";

pub fn run(workbook: &Workbook, exercise: Option<&str>, yes: bool, remove_added: bool) -> Result<Outcome> {
    let e = workbook.exercise(exercise)?;
    let pristine = e.dir.join(PRISTINE_DIR);
    if !pristine.is_dir() {
        return Err(advice(format!("{} has no {PRISTINE_DIR}/ folder to reset from", e.dir.display())));
    }
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let backup = workbook.root.join(BACKUPS_DIR).join(format!("{}-{stamp}", e.id));
    let shown = backup.strip_prefix(&workbook.root).unwrap_or(&backup).display().to_string();
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(advice(format!(
                "grader reset {id} replaces your files with the starter's: add --yes to do it without a terminal \
                 (your files are backed up first, to {BACKUPS_DIR}/)",
                id = e.id
            )));
        }
        eprint!("Put the starter's files of {} back? Yours are saved first to {shown}/. [y/N] ", e.id);
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).context("reading the answer")?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            crate::output::emit("nothing changed.\n");
            return Ok(Outcome::Fail);
        }
    }
    let saved = back_up(&e, &backup)?;
    let mut restored = Vec::new();
    restore(&pristine, &e.dir, &mut restored)?;
    let (mut removed, mut kept) = (Vec::new(), Vec::new());
    for extra in e.optional_learner_files() {
        let (yours, original) = (e.dir.join(&extra), pristine.join(&extra));
        if yours.is_file() && !original.exists() {
            if remove_added {
                std::fs::remove_file(&yours).with_context(|| format!("removing {}", yours.display()))?;
                removed.push(extra);
            } else {
                kept.push(extra);
            }
        }
    }
    let mut out = format!("{}: saved your {saved} files to {shown}/\n{}: restored the starter's ", e.id, e.id);
    out.push_str(&restored.join(", "));
    out.push('\n');
    if !removed.is_empty() {
        out.push_str(&format!("removed {} (the starter has none)\n", removed.join(", ")));
    }
    if !kept.is_empty() {
        out.push_str(&format!("kept your {} (the starter has none; --remove-added removes it)\n", kept.join(", ")));
    }
    crate::output::emit_text(&out);
    Ok(Outcome::Pass)
}

/// Copies the exercise folder (its grader and dependency folders left out) to `to`; returns
/// how many files it saved.
fn back_up(e: &Exercise, to: &Path) -> Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let mut n = 0;
    crate::workspace::walk(&e.dir, &mut |f| {
        let name = f.rel.file_name().unwrap_or_default();
        if f.meta.is_dir() && (f.rel == Path::new(".grader") || name == "node_modules" || name == "target") {
            return Ok(false);
        }
        let target: PathBuf = to.join(f.rel);
        if f.meta.is_dir() {
            std::fs::create_dir_all(&target).with_context(|| format!("creating {}", target.display()))?;
        } else if f.meta.is_file() {
            std::fs::copy(f.path, &target).with_context(|| format!("backing up {}", f.path.display()))?;
            n += 1;
        }
        Ok(true)
    })?;
    Ok(n)
}

fn restore(from: &Path, to: &Path, restored: &mut Vec<String>) -> Result<()> {
    crate::workspace::walk(from, &mut |e| {
        let target = to.join(e.rel);
        if e.meta.is_dir() {
            std::fs::create_dir_all(&target)?;
        } else {
            std::fs::copy(e.path, &target).with_context(|| format!("writing {}", target.display()))?;
            restored.push(e.rel.display().to_string());
        }
        Ok(true)
    })
}
