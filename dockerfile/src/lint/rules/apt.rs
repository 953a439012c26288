//! Rules about apt: GR002 apt-update-alone, GR003 apt-lists-not-removed, GR004
//! apt-no-install-recommends.

use super::cache_mount_targets;
use crate::lint::ids;
use crate::lint::shell::{self, program};
use crate::lint::{Context, Finding};

/// GR002: `apt-get update` in a RUN with no `apt-get install`.
pub(crate) fn update_alone(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        for (ins, commands) in ctx.runs(stage) {
            let update = commands.iter().any(|c| shell::apt(c) == Some("update"));
            let install =
                commands.iter().any(|c| matches!(shell::apt(c), Some("install" | "upgrade" | "dist-upgrade")));
            if update && !install {
                out.push(ctx.finding(
                    ids::APT_UPDATE_ALONE,
                    stage,
                    ins,
                    "`apt-get update` runs alone in its own RUN: its layer stays cached while later `apt-get install` lines change, so they install from stale package lists; write `RUN apt-get update && apt-get install -y ...` in one RUN".into(),
                ));
            }
        }
    }
}

/// GR003: in the final stage, a RUN that installs with apt but does not remove
/// /var/lib/apt/lists in the same RUN.
pub(crate) fn lists_not_removed(ctx: &Context, out: &mut Vec<Finding>) {
    let stage = ctx.final_stage();
    for (ins, commands) in ctx.runs(stage) {
        if !commands.iter().any(|c| shell::apt(c) == Some("install")) {
            continue;
        }
        let removed =
            commands.iter().any(|c| program(c) == "rm" && c.iter().any(|w| w.starts_with("/var/lib/apt/lists")));
        let cached = cache_mount_targets(ins).iter().any(|t| t.trim_end_matches('/').starts_with("/var/lib/apt"));
        if !removed && !cached {
            out.push(ctx.finding(
                ids::APT_LISTS_NOT_REMOVED,
                stage,
                ins,
                "`apt-get install` leaves the package lists (/var/lib/apt/lists, tens of MB) in this layer: end the same RUN with `&& rm -rf /var/lib/apt/lists/*` (a later RUN cannot shrink this layer)".into(),
            ));
        }
    }
}

/// GR004: in the final stage, `apt-get install` without `--no-install-recommends`.
pub(crate) fn no_install_recommends(ctx: &Context, out: &mut Vec<Finding>) {
    let stage = ctx.final_stage();
    for (ins, commands) in ctx.runs(stage) {
        for c in commands {
            if shell::apt(c) != Some("install") {
                continue;
            }
            let off = c.iter().any(|w| {
                w == "--no-install-recommends"
                    || w.to_ascii_lowercase().starts_with("apt::install-recommends=")
                        && (w.ends_with("false") || w.ends_with('0'))
            });
            if !off {
                out.push(ctx.finding(
                    ids::APT_NO_INSTALL_RECOMMENDS,
                    stage,
                    ins,
                    "`apt-get install` without `--no-install-recommends` also installs every recommended package: add `--no-install-recommends` and list what you need".into(),
                ));
                break;
            }
        }
    }
}
