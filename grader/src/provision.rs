//! Base images a build needs, made available before the build: a base that is missing from the
//! engine and that the offline kit (`kit/build.sh`) knows is built there as a local stand-in,
//! with the kit's progress on screen. Without this, a fresh machine with an engine and no
//! registry could not grade anything before someone ran the kit by hand.
//!
//! The grader never pulls here (that stays `--pull`); bases the kit does not know are left to
//! the build, whose "base image not available" is exit 2 with advice.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Result;
use indicatif::ProgressBar;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::engine::Engine;
use crate::error::advice;
use crate::facts::image::BaseImage;
use crate::image_ref::normalize;

/// The kit's script, relative to a workbook root.
const KIT_SCRIPT: &str = "kit/build.sh";
/// A cold kit run is ~4 min on 2 cores; another run may hold the kit's lock first.
const KIT_TIMEOUT: Duration = Duration::from_secs(40 * 60);

/// The external images a Dockerfile builds from (every stage, ARG defaults applied; `scratch`,
/// earlier stages and references still holding a variable left out), as written.
pub fn bases(df: &dockerfile::Dockerfile) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &df.stages {
        if s.base_stage.is_some() || s.is_scratch() || s.base_resolved.is_empty() || s.base_resolved.contains('$') {
            continue;
        }
        if !out.contains(&s.base_resolved) {
            out.push(s.base_resolved.clone());
        }
    }
    out
}

/// Where the kit is: `GRADER_KIT` (a folder holding build.sh), the workbook's own `kit/`, or the
/// source tree this grader was built from.
pub fn kit_dir(workbook_root: Option<&Path>) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("GRADER_KIT").map(PathBuf::from),
        workbook_root.map(|r| r.join("kit")),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("kit")),
    ];
    candidates.into_iter().flatten().find(|d| d.join("build.sh").is_file())
}

/// The public tags the kit makes (`build.sh --list`, first column), normalized.
pub fn kit_tags(kit: &Path) -> Vec<String> {
    let out = std::process::Command::new("bash").arg(kit.join("build.sh")).arg("--list").stderr(Stdio::null()).output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(normalize)
            .collect(),
        _ => Vec::new(),
    }
}

/// [`kit_tags`] off the async runtime (it waits for a `bash` process); none without a kit.
pub async fn kit_tags_async(kit: Option<&Path>) -> Vec<String> {
    let Some(kit) = kit.map(Path::to_path_buf) else { return Vec::new() };
    tokio::task::spawn_blocking(move || kit_tags(&kit)).await.unwrap_or_default()
}

/// The command a person runs to make `tags` available by hand.
fn kit_command(kit: Option<&Path>, tags: &[String]) -> String {
    let script = kit.map(|k| k.join("build.sh").display().to_string()).unwrap_or_else(|| KIT_SCRIPT.into());
    format!("sudo bash {script} {}", tags.join(" "))
}

/// Makes every image in `images` that is missing from the engine and known to the kit
/// available, by running the kit for just those tags. Missing images the kit does not know are
/// left alone (the build reports them).
pub async fn ensure(
    engine: &Engine,
    images: &[String],
    workbook_root: Option<&Path>,
    progress: &ProgressBar,
) -> Result<()> {
    let mut missing = Vec::new();
    for image in images {
        if !engine.has_image(image).await {
            missing.push(normalize(image));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let kit = kit_dir(workbook_root);
    let known = kit_tags_async(kit.as_deref()).await;
    let wanted: Vec<String> = missing.into_iter().filter(|m| known.contains(m)).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let Some(kit) = kit else { return Ok(()) };
    if !cfg!(target_os = "linux") {
        return Err(advice(format!(
            "the base image(s) {} are not on this engine and the grader does not pull them. Pull them with \
             `docker pull {}` (a registry is needed), or build the offline stand-ins on a Linux machine that \
             uses this engine: `{}`",
            wanted.join(", "),
            wanted.join(" && docker pull "),
            kit_command(Some(&kit), &wanted)
        )));
    }
    crate::output::say(
        progress,
        format!(
            "{} not on this engine: building offline stand-in(s) from Debian packages with {} (a few minutes the \
             first time; `docker pull` gets the official images instead)",
            wanted.join(", "),
            kit.join("build.sh").display()
        ),
    );
    progress.set_message("building base images with the offline kit");
    let mut command = tokio::process::Command::new("bash");
    // The kit's docker CLI reaches the same engine (TLS material, context and all).
    for (name, value) in engine.endpoint.cli_env() {
        match value {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
    let mut child = command
        .arg(kit.join("build.sh"))
        .args(&wanted)
        .env("KIT_OFFLINE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| advice(format!("cannot run the offline kit ({e}): run `{}`", kit_command(Some(&kit), &wanted))))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let show = |line: String| {
        let line = line.trim_end().to_string();
        if !line.is_empty() {
            crate::output::say(progress, format!("  {line}"));
        }
    };
    let mut tail: Vec<String> = Vec::new();
    let run = async {
        let mut out = BufReader::new(stdout).lines();
        let mut err = BufReader::new(stderr).lines();
        let (mut out_open, mut err_open) = (true, true);
        while out_open || err_open {
            tokio::select! {
                l = out.next_line(), if out_open => match l { Ok(Some(l)) => show(l), _ => out_open = false },
                l = err.next_line(), if err_open => match l {
                    Ok(Some(l)) => { tail.push(l.clone()); show(l) }
                    _ => err_open = false,
                },
            }
        }
        child.wait().await
    };
    let status = match tokio::time::timeout(KIT_TIMEOUT, run).await {
        Ok(s) => s?,
        Err(_) => {
            return Err(advice(format!(
                "the offline kit did not finish within {} min; run it by hand to see why: `{}`",
                KIT_TIMEOUT.as_secs() / 60,
                kit_command(Some(&kit), &wanted)
            )))
        }
    };
    if !status.success() {
        let why = tail.iter().rev().find(|l| l.contains("error")).cloned().unwrap_or_default();
        return Err(advice(format!(
            "could not grade: the base image(s) {} are missing and the offline kit could not build them{}.\n\
             Run it by hand: `{}` (or `docker pull` them where a registry answers).",
            wanted.join(", "),
            if why.is_empty() { String::new() } else { format!(" ({})", why.trim()) },
            kit_command(Some(&kit), &wanted)
        )));
    }
    Ok(())
}

/// What the engine knows of a base image; `None` when it is not there.
pub async fn describe(engine: &Engine, image: &str) -> Option<BaseImage> {
    let info = engine.docker.inspect_image(image).await.ok()?;
    let config = info.config.unwrap_or_default();
    let labels = config.labels.unwrap_or_default();
    let env = config.env.unwrap_or_default();
    Some(BaseImage {
        image: image.to_string(),
        version: version_inside(&env).or_else(|| labels.get("dev.grader.kit.toolchain").cloned()),
        stand_in: labels.get("dev.grader.kit").is_some_and(|v| v == "stand-in"),
    })
}

/// `GOLANG_VERSION=1.27.4` -> `Go 1.27.4`: the variables the official toolchain images set.
fn version_inside(env: &[String]) -> Option<String> {
    const KNOWN: [(&str, &str); 4] =
        [("GOLANG_VERSION", "Go"), ("RUST_VERSION", "Rust"), ("PYTHON_VERSION", "Python"), ("NODE_VERSION", "Node")];
    env.iter().find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        let (_, name) = KNOWN.iter().find(|(var, _)| *var == k)?;
        (!v.is_empty()).then(|| format!("{name} {v}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_inside_comes_from_the_official_variables() {
        let env = |kv: &[&str]| kv.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(version_inside(&env(&["PATH=/bin", "GOLANG_VERSION=1.27.4"])).as_deref(), Some("Go 1.27.4"));
        assert_eq!(version_inside(&env(&["RUST_VERSION=1.98.1"])).as_deref(), Some("Rust 1.98.1"));
        assert_eq!(version_inside(&env(&["PATH=/bin"])), None);
    }

    #[test]
    fn bases_leave_out_scratch_stages_and_variables() {
        let df = dockerfile::parse(
            "ARG V=1\nFROM golang:${V}-trixie AS build\nFROM build AS test\nFROM scratch\nFROM ${UNSET}\nFROM golang:1-trixie\n",
        )
        .unwrap();
        assert_eq!(bases(&df), ["golang:1-trixie"]);
    }

    #[test]
    fn the_kit_of_this_repository_is_found_and_lists_the_workbook_bases() {
        let kit = kit_dir(None).expect("the kit of the source tree");
        let tags = kit_tags(&kit);
        for t in
            ["golang:1-trixie", "rust:1-slim-trixie", "debian:trixie-slim", "gcr.io/distroless/static-debian13:nonroot"]
        {
            assert!(tags.contains(&t.to_string()), "{t} not in {tags:?}");
        }
    }
}
