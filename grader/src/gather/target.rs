//! The target probe: build a named stage (`--target test`) from the context as it is, which
//! must succeed, and from a copy with a planted file (a failing test), which must fail.

use anyhow::Result;
use workbook::spec::TargetCheck;

use super::prober::Variant;
use super::Gathering;
use crate::facts::{Measured, Probe, TargetProbe};

pub async fn gather(check: &TargetCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    g.show("target");
    let target = Variant { target: Some(&check.target), ..Variant::default() };
    g.progress.set_message(format!("building --target {}", check.target));
    let as_is = g.prober.outcome("target", target).await?;

    let copy = g.prober.copy(g.dir, &[]).await?;
    let planted_path = copy.path().join(&check.plant_path);
    if let Some(parent) = planted_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&planted_path, &check.plant_content)?;
    g.progress.set_message(format!("building --target {} with a planted failing test", check.target));
    let planted = g.prober.outcome("target-planted", Variant { from: Some(copy.path()), ..target }).await?;
    Ok(Some(Ok(Probe::Target(TargetProbe { as_is, planted }))))
}
