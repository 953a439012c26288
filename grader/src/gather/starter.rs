//! The pristine starter's size, for relative budgets (`max_ratio`): the exercise's
//! `.grader/starter/` files laid over a copy of the graded folder, built and measured.

use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;

use crate::context::BuildContext;
use crate::engine::Engine;
use crate::plan::BuildRequest;
use crate::workspace::{copy_tree, temp_copy};
use workbook::spec::PRISTINE_DIR;
use workbook::Exercise;

/// The starter image's content size, or why it could not be measured.
pub async fn size(
    engine: &Engine,
    exercise: &Exercise,
    dir: &Path,
    main: &BuildRequest<'_>,
    main_size: u64,
    progress: &ProgressBar,
) -> Result<Result<u64, String>> {
    let pristine = exercise.dir.join(PRISTINE_DIR);
    if !pristine.is_dir() {
        return Ok(Err(format!("{} has no {PRISTINE_DIR}/ folder with the starter's files", exercise.dir.display())));
    }
    let extras_match =
        exercise.optional_learner_files().iter().all(|f| pristine.join(f).exists() || !dir.join(f).exists());
    if extras_match && same_files(&pristine, dir)? {
        // The graded folder is the starter itself.
        return Ok(Ok(main_size));
    }
    let copy = temp_copy(dir)?;
    copy_tree(&pristine, copy.path())?;
    for extra in exercise.optional_learner_files() {
        if !pristine.join(&extra).exists() {
            let _ = std::fs::remove_file(copy.path().join(&extra));
        }
    }
    progress.set_message("building the starter, to measure it");
    let context = BuildContext::pack(copy.path(), main.dockerfile)?;
    let tag = engine.tag(&exercise.id, "starter");
    let req = BuildRequest { context: &context, tag: &tag, stop_at: None, ..*main };
    let outcome = engine.build(&req, progress).await?;
    if let Some(f) = outcome.failure {
        engine.remove_image(&tag).await;
        return Ok(Err(f.message));
    }
    let facts = engine.image_facts(&tag, None).await;
    engine.remove_image(&tag).await;
    Ok(Ok(facts?.content_size))
}

/// Whether every file under `pristine` has the same bytes at the same place under `dir`.
fn same_files(pristine: &Path, dir: &Path) -> Result<bool> {
    for entry in std::fs::read_dir(pristine)? {
        let entry = entry?;
        let there = dir.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if !there.is_dir() || !same_files(&entry.path(), &there)? {
                return Ok(false);
            }
        } else if std::fs::read(entry.path())? != std::fs::read(&there).unwrap_or_default() {
            return Ok(false);
        }
    }
    Ok(true)
}
