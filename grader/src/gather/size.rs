//! The pristine starter's size, for relative budgets (`max_ratio`): the exercise's
//! `.grader/starter/` files laid over a copy of the graded folder, built and measured.

use anyhow::Result;
use workbook::spec::{SizeCheck, PRISTINE_DIR};

use super::prober::Variant;
use super::Gathering;
use crate::facts::{Measured, NotMeasured, Probe};
use crate::workspace::{copy_tree, same_files};

/// The starter's size, when the check has a relative budget.
pub async fn gather(check: &SizeCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    if check.max_ratio.is_none() {
        return Ok(None);
    }
    g.show("starter");
    let size = starter_size(g).await?;
    Ok(Some(size.map(Probe::StarterSize).map_err(|e| NotMeasured(format!("the starter image could not be built: {e}")))))
}

/// The starter image's content size, or why it could not be measured.
async fn starter_size(g: &Gathering<'_>) -> Result<Result<u64, String>> {
    let (exercise, dir) = (g.exercise, g.dir);
    let pristine = exercise.dir.join(PRISTINE_DIR);
    if !pristine.is_dir() {
        return Ok(Err(format!("{} has no {PRISTINE_DIR}/ folder with the starter's files", exercise.dir.display())));
    }
    let extras_match =
        exercise.optional_learner_files().iter().all(|f| pristine.join(f).exists() || !dir.join(f).exists());
    if extras_match && same_files(&pristine, dir)? {
        // The graded folder is the starter itself.
        return Ok(Ok(g.facts.image.as_ref().map_or(0, |i| i.content_size)));
    }
    let copy = g.prober.copy(dir, &[]).await?;
    copy_tree(&pristine, copy.path())?;
    for extra in exercise.optional_learner_files() {
        if !pristine.join(&extra).exists() {
            let _ = std::fs::remove_file(copy.path().join(&extra));
        }
    }
    g.progress.set_message("building the starter, to measure it");
    let engine = g.engine;
    let variant = Variant { from: Some(copy.path()), ..Variant::default() };
    g.prober
        .build("starter", variant, |tag, outcome| async move {
            match outcome.failure {
                Some(f) => Ok(Err(f.message)),
                None => Ok(Ok(engine.image_facts(&tag, None, &[]).await?.content_size)),
            }
        })
        .await
}
