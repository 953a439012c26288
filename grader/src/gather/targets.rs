//! The targets shootout: build several runtime stages of one Dockerfile, measure each image
//! and check that it starts and answers.

use std::collections::BTreeMap;

use anyhow::Result;
use indicatif::ProgressBar;

use super::smoke;
use crate::engine::Engine;
use crate::facts::TargetRun;
use crate::plan::BuildRequest;
use workbook::spec::{SmokeCheck, TargetsCheck};
use workbook::Exercise;

pub async fn run(
    engine: &Engine,
    exercise: &Exercise,
    check: &TargetsCheck,
    main: &BuildRequest<'_>,
    progress: &ProgressBar,
) -> Result<Vec<TargetRun>> {
    let mut runs = Vec::new();
    let probe = SmokeCheck {
        port: Some(check.port),
        path: check.path.clone(),
        status: check.status,
        body_contains: None,
        cmd: None,
        env: BTreeMap::new(),
        timeout_s: 20,
        memory_mb: 256,
        pids: 128,
    };
    for target in &check.targets {
        progress.set_message(format!("building --target {target}"));
        let tag = engine.tag(&exercise.id, &format!("target-{}", sanitize(target)));
        let req = BuildRequest { tag: &tag, target: Some(target), stop_at: None, ..*main };
        let outcome = engine.build(&req, progress).await?;
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
            let facts = engine.image_facts(&tag, None).await;
            match facts {
                Ok(f) => {
                    run.size = f.content_size;
                    run.layers = f.layers.len();
                    run.packages = f.package_count();
                    run.shell = f.has_shell();
                    run.user = f.config.user.clone();
                    progress.set_message(format!("running --target {target}"));
                    run.smoke = Some(smoke::run(engine, &tag, &probe).await);
                }
                Err(e) => run.failure = Some(format!("{e:#}")),
            }
        }
        engine.remove_image(&tag).await;
        runs.push(run);
    }
    Ok(runs)
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}
