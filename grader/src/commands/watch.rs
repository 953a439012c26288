//! `grader watch [id]`: grade, then grade again whenever a file of the exercise changes, until
//! Ctrl-C. Polls modification times (no platform file-watching API needed).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;

use crate::cli::BuildArgs;
use crate::error::Interrupted;
use crate::exit::Outcome;
use crate::report::Format;
use workbook::Exercise;

pub async fn run(exercise: &Exercise, build: BuildArgs) -> Result<Outcome> {
    loop {
        let before = fingerprint(&exercise.dir);
        match super::check::run(exercise, build, Format::Table).await {
            Ok(Outcome::Pass) => {
                crate::output::emit("\nevery check passes: well done. Watching for changes (Ctrl-C to stop)...\n")
            }
            Ok(Outcome::Fail) => crate::output::emit("\nwatching for changes to the exercise (Ctrl-C to stop)...\n"),
            Err(e) if e.is::<Interrupted>() => return Err(e),
            Err(e) => eprintln!("error: {e:#}\nwatching for changes (Ctrl-C to stop)..."),
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = tokio::signal::ctrl_c() => return Ok(Outcome::Pass),
            }
            let now = fingerprint(&exercise.dir);
            if now != before {
                // Let an editor finish writing before building.
                tokio::time::sleep(Duration::from_millis(300)).await;
                break;
            }
        }
    }
}

/// Every file's path, size and modification time (the grader's own `.grader/` left out).
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    // A folder that cannot be read counts with what was read before it.
    let _ = crate::workspace::walk(dir, &mut |e| {
        let name = e.rel.file_name().unwrap_or_default();
        if name == ".grader" || name == ".git" || name == "node_modules" {
            return Ok(false);
        }
        if !e.meta.is_dir() {
            out.push((e.path.to_path_buf(), e.meta.len(), e.meta.modified().ok()));
        }
        Ok(true)
    });
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_edit_changes_the_fingerprint() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        let a = super::fingerprint(d.path());
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\nUSER 1\n").unwrap();
        assert_ne!(a, super::fingerprint(d.path()));
        std::fs::create_dir_all(d.path().join(".grader")).unwrap();
        let b = super::fingerprint(d.path());
        std::fs::write(d.path().join(".grader/x"), "y").unwrap();
        assert_eq!(b, super::fingerprint(d.path()), ".grader is not the learner's");
    }
}
