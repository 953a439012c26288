//! Rules about dependency installs and the build cache: GR005 pip-no-cache-dir, GR006
//! copy-context-before-deps, GR014 dependency-cache-mount.

use super::{cache_mount_targets, code, sources};
use crate::ast::Instruction;
use crate::lint::ids;
use crate::lint::shell::{self, Ecosystem};
use crate::lint::{Context, Finding};

/// Whether the stage sets PIP_NO_CACHE_DIR before `upto` (an ENV that disables pip's cache).
fn pip_cache_disabled_by_env(instructions: &[Instruction], upto: usize) -> bool {
    instructions
        .iter()
        .take(upto)
        .any(|i| i.is("ENV") && i.args.shell().is_some_and(|s| s.contains("PIP_NO_CACHE_DIR")))
}

/// GR005: in the final stage, `pip install` that keeps pip's download cache in the image.
pub(crate) fn pip_no_cache_dir(ctx: &Context, out: &mut Vec<Finding>) {
    let stage = ctx.final_stage();
    for (n, ins) in stage.instructions.iter().enumerate() {
        if !ins.is("RUN") {
            continue;
        }
        let commands = &ctx.commands[stage.index][n];
        let offending =
            commands.iter().find(|c| shell::pip_install(c).is_some() && !c.iter().any(|w| w == "--no-cache-dir"));
        let Some(cmd) = offending else { continue };
        if !cache_mount_targets(ins).is_empty() || pip_cache_disabled_by_env(&stage.instructions, n) {
            continue;
        }
        let shown: Vec<&str> = cmd.iter().take(2).map(String::as_str).collect();
        out.push(ctx.finding(
            ids::PIP_NO_CACHE_DIR,
            stage,
            ins,
            format!(
                "{} keeps its download cache (~/.cache/pip) in the runtime image: add `--no-cache-dir`, or use `RUN --mount=type=cache,target=/root/.cache/pip`",
                code(&shown.join(" "))
            ),
        ));
    }
}

/// Whether a COPY/ADD copies the whole build context (`COPY . .`, `COPY ./ /app`).
pub(crate) fn copies_whole_context(ins: &Instruction) -> bool {
    (ins.is("COPY") || ins.is("ADD"))
        && ins.flag("from").is_none()
        && sources(ins).iter().any(|s| matches!(s.as_str(), "." | "./" | "./." | "*" | "./*"))
}

/// GR006: a dependency install that runs after the whole context was copied in, in any stage.
pub(crate) fn copy_context_before_deps(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        let mut whole_copy: Option<&Instruction> = None;
        let mut installed_before: Vec<Ecosystem> = Vec::new();
        let mut reported: Vec<Ecosystem> = Vec::new();
        for (n, ins) in stage.instructions.iter().enumerate().skip(1) {
            if whole_copy.is_none() && copies_whole_context(ins) {
                whole_copy = Some(ins);
            }
            for cmd in &ctx.commands[stage.index][n] {
                let Some((eco, shown)) = shell::dependency_use(cmd) else {
                    continue;
                };
                match whole_copy {
                    None => installed_before.push(eco),
                    Some(copy) if !installed_before.contains(&eco) && !reported.contains(&eco) => {
                        reported.push(eco);
                        out.push(ctx.finding(
                            ids::COPY_CONTEXT_BEFORE_DEPS,
                            stage,
                            ins,
                            format!(
                                "{} fetches dependencies after {} (line {}) copied the whole context, so any source change downloads them again: copy {} first, run {}, then copy the rest",
                                code(&shown),
                                code(copy.joined.trim()),
                                copy.lines.start,
                                eco.manifests(),
                                eco.install_step()
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

/// GR014: a dependency install without a cache mount.
pub(crate) fn dependency_cache_mount(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        for (ins, commands) in ctx.runs(stage) {
            if !cache_mount_targets(ins).is_empty() {
                continue;
            }
            let found = commands.iter().find_map(|c| {
                let (eco, shown) = shell::dependency_install(c)?;
                // pip with --no-cache-dir deliberately keeps no cache; a mount would not help.
                (!(eco == Ecosystem::Python && c.iter().any(|w| w == "--no-cache-dir"))).then_some((eco, shown))
            });
            if let Some((eco, shown)) = found {
                out.push(ctx.finding(
                    ids::DEPENDENCY_CACHE_MOUNT,
                    stage,
                    ins,
                    format!(
                        "{} downloads dependencies without a cache mount: with `RUN --mount=type=cache,target={}` a rebuild after a manifest change reuses what was already downloaded",
                        code(&shown),
                        eco.cache_dir()
                    ),
                ));
            }
        }
    }
}
