//! The target probe: build a named stage (`--target test`) from the context as it is, which
//! must succeed, and from a copy with a planted file (a failing test), which must fail.

use std::path::Path;

use anyhow::Result;
use indicatif::ProgressBar;

use crate::context::BuildContext;
use crate::engine::Engine;
use crate::facts::TargetProbe;
use crate::plan::BuildRequest;
use crate::workspace::temp_copy;
use workbook::{spec::TargetCheck, Exercise};

pub async fn probe(
    engine: &Engine,
    exercise: &Exercise,
    dir: &Path,
    check: &TargetCheck,
    main: &BuildRequest<'_>,
    progress: &ProgressBar,
) -> Result<TargetProbe> {
    progress.set_message(format!("building --target {}", check.target));
    let tag = engine.tag(&exercise.id, "target");
    let req = BuildRequest { tag: &tag, target: Some(&check.target), stop_at: None, ..*main };
    let as_is = engine.build(&req, progress).await?;
    engine.remove_image(&tag).await;

    let copy = temp_copy(dir)?;
    let planted_path = copy.path().join(&check.plant_path);
    if let Some(parent) = planted_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&planted_path, &check.plant_content)?;
    progress.set_message(format!("building --target {} with a planted failing test", check.target));
    let context = BuildContext::pack(copy.path(), main.dockerfile)?;
    let tag = engine.tag(&exercise.id, "target-planted");
    let req = BuildRequest { context: &context, tag: &tag, target: Some(&check.target), stop_at: None, ..*main };
    let planted = engine.build(&req, progress).await?;
    engine.remove_image(&tag).await;
    Ok(TargetProbe { as_is, planted })
}
