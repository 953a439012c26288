//! Rules about how stages refer to each other: GR007 copy-from-unknown-stage, GR008
//! stage-name-conflict, GR013 copy-whole-filesystem.

use super::{body, code, field, mounts, sources};
use crate::ast::{Instruction, Stage};
use crate::lint::ids;
use crate::lint::{Context, Finding};

/// What a `--from` value refers to, seen from stage `current`.
enum FromRef {
    Earlier,
    External,
    Unknowable,
    Problem(String),
}

fn resolve(stages: &[Stage], current: usize, value: &str) -> FromRef {
    if value.contains('$') {
        return FromRef::Unknowable;
    }
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return match value.parse::<usize>() {
            Ok(i) if i < current => FromRef::Earlier,
            Ok(i) if i == current => FromRef::Problem(format!(
                "`--from={value}` names this stage itself: a stage cannot copy from itself"
            )),
            Ok(i) if i < stages.len() => FromRef::Problem(format!(
                "`--from={value}` names stage {i} (line {}), which comes later: `--from` can only use a stage defined before this one",
                stages[i].from().lines.start
            )),
            _ => FromRef::Problem(format!(
                "`--from={value}`: there is no stage {value} (this file has stages 0 to {})",
                stages.len().saturating_sub(1)
            )),
        };
    }
    let lower = value.to_lowercase();
    if let Some(s) = stages.iter().find(|s| s.name.as_deref() == Some(lower.as_str())) {
        return match s.index.cmp(&current) {
            std::cmp::Ordering::Less => FromRef::Earlier,
            std::cmp::Ordering::Equal => FromRef::Problem(format!(
                "`--from={value}` names this stage itself: a stage cannot copy from itself"
            )),
            std::cmp::Ordering::Greater => FromRef::Problem(format!(
                "`--from={value}` names a stage defined later (line {}): BuildKit would try to pull an image called {} instead; move that stage above this one",
                s.from().lines.start,
                code(value)
            )),
        };
    }
    if value.contains([':', '/', '@']) {
        return FromRef::External;
    }
    let known: Vec<String> = stages[..current.min(stages.len())].iter().filter_map(|s| s.name.clone()).collect();
    let known = if known.is_empty() {
        "there are no named stages before it".to_string()
    } else {
        format!("earlier stages: {}", known.join(", "))
    };
    FromRef::Problem(format!(
        "`--from={value}` names no stage ({known}); if you mean an image, write it with a tag, e.g. {}",
        code(&format!("{value}:<version>"))
    ))
}

fn report(ctx: &Context, stage: &Stage, ins: &Instruction, value: &str, out: &mut Vec<Finding>) {
    if let FromRef::Problem(message) = resolve(&ctx.df.stages, stage.index, value) {
        out.push(ctx.finding(ids::COPY_FROM_UNKNOWN_STAGE, stage, ins, message));
    }
}

/// GR007: `COPY --from` and `RUN --mount=from=` name an earlier stage (or an image with a tag
/// or registry path).
pub(crate) fn copy_from_unknown_stage(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        for ins in body(stage) {
            if ins.is("COPY") {
                if let Some(v) = ins.flag("from") {
                    report(ctx, stage, ins, v, out);
                }
            }
            if ins.is("RUN") {
                for m in mounts(ins) {
                    if let Some(v) = field(&m, "from") {
                        report(ctx, stage, ins, v, out);
                    }
                }
            }
        }
    }
}

/// GR008: stage names are unique and not reserved.
pub(crate) fn stage_name_conflict(ctx: &Context, out: &mut Vec<Finding>) {
    let stages = &ctx.df.stages;
    for stage in stages {
        let Some(name) = &stage.name else { continue };
        if name == "scratch" || name == "context" {
            out.push(ctx.finding(
                ids::STAGE_NAME_CONFLICT,
                stage,
                stage.from(),
                format!(
                    "{} is a reserved name ({}): pick another stage name",
                    code(name),
                    if name == "scratch" {
                        "`scratch` is the empty base image"
                    } else {
                        "`context` refers to the build context"
                    }
                ),
            ));
        }
        if let Some(first) = stages[..stage.index].iter().find(|s| s.name.as_deref() == Some(name.as_str())) {
            out.push(ctx.finding(
                ids::STAGE_NAME_CONFLICT,
                stage,
                stage.from(),
                format!(
                    "stage name {} is already used by the stage on line {}: stage names must be unique",
                    code(name),
                    first.from().lines.start
                ),
            ));
        }
    }
}

/// GR013: `COPY --from=<stage> / ...` copies a whole filesystem.
pub(crate) fn copy_whole_filesystem(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        for ins in body(stage) {
            let Some(from) = ins.flag("from") else {
                continue;
            };
            if !ins.is("COPY") {
                continue;
            }
            if sources(ins).iter().any(|s| matches!(s.as_str(), "/" | "/." | "/*" | "/**")) {
                out.push(ctx.finding(
                    ids::COPY_WHOLE_FILESYSTEM,
                    stage,
                    ins,
                    format!(
                        "copies the whole filesystem of {} (its toolchain, caches and sources too): copy only the files the image needs, e.g. {}",
                        code(from),
                        code(&format!("COPY --from={from} /out/app /app"))
                    ),
                ));
            }
        }
    }
}
