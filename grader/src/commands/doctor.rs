//! `grader doctor`: is this machine ready to grade? The engine (address, how it is reached: TLS,
//! ssh, which docker context; version, API, BuildKit, image store), the offline kit, and every
//! base image the workbook's Dockerfiles name: present (official or stand-in, with the version
//! inside) or missing, with what to do about it.
//! Exit 0 when ready, 1 when base images are missing, 2 when no engine answers.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::engine::Engine;
use crate::exit::Outcome;
use crate::provision;
use workbook::spec::PRISTINE_DIR;
use workbook::Workbook;

pub async fn run(workbook: Option<&Workbook>) -> Result<Outcome> {
    let engine = Engine::connect().await?;
    let api = engine.docker.version().await.ok().and_then(|v| v.api_version).unwrap_or_else(|| "?".into());
    let info = engine.docker.info().await.ok();
    let driver = info.as_ref().and_then(|i| i.driver.clone()).unwrap_or_else(|| "?".into());
    let store =
        if engine.containerd_store { format!("containerd ({driver})") } else { format!("graph driver {driver}") };
    // BuildKit builds through the API need API 1.39 (Docker 18.09); the grader falls back to the
    // classic builder below that.
    let buildkit = match api.split_once('.').and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?))) {
        Some(v) if v >= (1, 39) => "available",
        Some(_) => "not available (the classic builder will be used)",
        None => "unknown",
    };
    let mut out = String::new();
    out.push_str(&format!("engine      {} · Docker {} · API {api}\n", engine.address, engine.version));
    out.push_str(&format!("reached by  {}\n", engine.endpoint.how()));
    out.push_str(&format!("BuildKit    {buildkit}\nimage store {store}\n"));

    let root = workbook.map(|w| w.root.as_path());
    let kit = provision::kit_dir(root);
    let kit_tags = provision::kit_tags_async(kit.as_deref()).await;
    let can_run_kit = cfg!(target_os = "linux") && kit.is_some();
    out.push_str(&match &kit {
        Some(k) if can_run_kit => format!(
            "kit         {} ({} tags; `grader check` builds a missing one from Debian packages{})\n",
            k.join("build.sh").display(),
            kit_tags.len(),
            if is_root() { "" } else { "; the debian base needs root" }
        ),
        Some(k) => format!("kit         {} (needs Linux: pull the images instead)\n", k.join("build.sh").display()),
        None => "kit         not found (set GRADER_KIT to the workbook's kit/ folder)\n".into(),
    });

    let Some(workbook) = workbook else {
        out.push_str("workbook    not found from here: run inside the workbook to check its base images\n");
        crate::output::emit(&out);
        return Ok(Outcome::Pass);
    };
    let mut images = BTreeSet::new();
    for e in workbook.exercises()? {
        let df = &e.spec.build.dockerfile;
        for dir in [e.dir.clone(), e.dir.join(PRISTINE_DIR), workbook.solution_dir(&e.id)] {
            let text = crate::workspace::read_inside(&dir, df, crate::workspace::MAX_DOCKERFILE_BYTES);
            if let Some(parsed) = text.ok().and_then(|t| dockerfile::parse(&t).ok()) {
                images.extend(provision::bases(&parsed));
            }
        }
    }
    out.push_str(&format!("base images the workbook's Dockerfiles name ({}):\n", images.len()));
    let width = images.iter().map(String::len).max().unwrap_or(0);
    let mut missing = Vec::new();
    for image in &images {
        match provision::describe(&engine, image).await {
            Some(b) => out.push_str(&format!(
                "  {image:width$}  present  {:9} {}\n",
                if b.stand_in { "stand-in" } else { "official" },
                b.version.unwrap_or_default()
            )),
            None => {
                let known = kit_tags.contains(&crate::image_ref::normalize(image));
                out.push_str(&format!(
                    "  {image:width$}  MISSING  {}\n",
                    if known && can_run_kit { "the kit makes it" } else { "pull it: docker pull" }
                ));
                missing.push(image.clone());
            }
        }
    }
    if missing.is_empty() {
        out.push_str("ready: every base image is here\n");
        crate::output::emit(&out);
        return Ok(Outcome::Pass);
    }
    out.push_str(&format!(
        "\n{} missing. `grader check` builds those the kit makes when a build needs them; to make them all now: \
         {}bash {} {}\n",
        missing.len(),
        if is_root() { "" } else { "sudo " },
        kit.map(|k| k.join("build.sh").display().to_string()).unwrap_or_else(|| "kit/build.sh".into()),
        missing.join(" ")
    ));
    crate::output::emit(&out);
    Ok(Outcome::Fail)
}

/// Whether this process runs as root (the owner of /proc/self is the effective user).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}
