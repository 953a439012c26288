//! The targets shootout: build several runtime stages of one Dockerfile, measure each image
//! and run its smoke probe (judged by the `targets` check).

use anyhow::Result;
use workbook::spec::TargetsCheck;

use super::prober::Variant;
use super::Gathering;
use crate::facts::{Measured, Probe, TargetRun};

pub async fn gather(check: &TargetsCheck, g: &Gathering<'_>) -> Result<Option<Measured>> {
    g.show("targets");
    let probe = check.smoke();
    let engine = g.engine;
    let mut runs = Vec::new();
    for target in &check.targets {
        g.progress.set_message(format!("building --target {target}"));
        let variant = Variant { target: Some(target), ..Variant::default() };
        let (progress, probe) = (g.progress, &probe);
        let run = g
            .prober
            .build(&format!("target-{target}"), variant, |tag, outcome| async move {
                let mut run = TargetRun {
                    target: target.clone(),
                    failure: outcome.failure.map(|f| f.message),
                    size: 0,
                    layers: 0,
                    packages: 0,
                    shell: false,
                    user: String::new(),
                    smoke: None,
                };
                if run.failure.is_none() {
                    match engine.image_facts(&tag, None, &[]).await {
                        Ok(f) => {
                            run.size = f.content_size;
                            run.layers = f.layers.len();
                            run.packages = f.package_count();
                            run.shell = f.has_shell();
                            run.user = f.config.user.clone();
                            progress.set_message(format!("running --target {target}"));
                            run.smoke = Some(super::smoke::run(engine, &tag, probe).await?);
                        }
                        Err(e) => run.failure = Some(format!("{e:#}")),
                    }
                }
                Ok(run)
            })
            .await?;
        runs.push(run);
    }
    Ok(Some(Ok(Probe::Targets(runs))))
}
