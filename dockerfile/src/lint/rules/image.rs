//! Rules about base images and who the final image runs as: GR001 pin-base-tag, GR009
//! final-stage-root, GR012 toolchain-in-runtime.

use super::{body, code, ImageRef};
use crate::ast::Stage;
use crate::lint::ids;
use crate::lint::shell::{self, program};
use crate::lint::{Context, Finding};

/// GR001: every stage's base image has a tag other than `latest`, or a digest.
pub(crate) fn pin_base_tag(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        if stage.base_stage.is_some() || stage.is_scratch() {
            continue;
        }
        let image = stage.base_resolved.as_str();
        if image.is_empty() || image.contains('$') {
            continue;
        }
        let r = ImageRef::parse(image);
        if r.digest.is_some() {
            continue;
        }
        let shown = if stage.base == stage.base_resolved {
            code(image)
        } else {
            format!("{} (from {})", code(image), code(&stage.base))
        };
        let message = match r.tag {
            None => format!(
                "base image {shown} has no tag, so it means `latest` and changes under you: pin a version, e.g. {}",
                code(&format!("{}:<version>", r.repository))
            ),
            Some(t) if t.eq_ignore_ascii_case("latest") => format!(
                "base image {shown} uses the `latest` tag, which moves with every release: pin a version, e.g. {}",
                code(&format!("{}:<version>", r.repository))
            ),
            Some(_) => continue,
        };
        out.push(ctx.finding(ids::PIN_BASE_TAG, stage, stage.from(), message));
    }
}

/// Whether a base image is known to run as a non-root user.
fn base_is_nonroot(image: &str) -> bool {
    let r = ImageRef::parse(image);
    let tag = r.tag.unwrap_or("");
    tag.contains("nonroot")
        || r.name().contains("nonroot")
        || (r.repository.starts_with("cgr.dev/chainguard/") && !tag.contains("dev"))
}

/// Root in any of its spellings (`root`, `0`, `0:0`, `root:root`, `000`, ...): the kernel reads
/// a number with leading zeros as the same UID.
pub(crate) fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name == "root" || name.is_empty() || (name.bytes().all(|b| b.is_ascii_digit()) && name.bytes().all(|b| b == b'0'))
}

/// A USER value with the build arguments it names replaced by their defaults, as a build
/// without `--build-arg` sees them: the stage's own `ARG`s before `line` (an `ARG NAME` with no
/// default takes the global one). `None` when a variable it uses has no default.
fn expand_user(df: &crate::ast::Dockerfile, stage: &Stage, user: &str, line: usize) -> Option<String> {
    use crate::parse::expand::{expand, Env};
    let split = |w: &str| match w.split_once('=') {
        Some((n, v)) => (n.to_string(), Some(v.trim_matches('"').to_string())),
        None => (w.to_string(), None),
    };
    let global: Vec<(String, Option<String>)> =
        df.global_args.iter().flat_map(|i| i.arg_list()).map(|w| split(&w)).collect();
    let mut env = Env::default();
    let mut known = Vec::new();
    for ins in body(stage).iter().filter(|i| i.is("ARG") && i.lines.start < line) {
        for w in ins.arg_list() {
            let (name, value) = split(&w);
            let value = value.or_else(|| global.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.clone()));
            if value.is_some() {
                known.push(name.clone());
            }
            env.set(&name, value);
        }
    }
    let out = expand(user, &env, df.escape);
    // Every `$NAME`/`${NAME...}` must have had a default, or the value is unknown.
    let names = user.split('$').skip(1).map(|r| {
        r.trim_start_matches('{').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>()
    });
    let all_known = names.into_iter().all(|n| known.contains(&n));
    (all_known && !out.trim().is_empty()).then_some(out)
}

/// The user the stage ends with: its last USER, or what it inherits from an earlier stage.
/// `None` when nothing in the Dockerfile sets one.
fn effective_user<'a>(stages: &'a [Stage], stage: &'a Stage, depth: usize) -> Option<&'a str> {
    let own = body(stage).iter().rev().find(|i| i.is("USER")).and_then(|i| i.args.shell());
    match (own, stage.base_stage) {
        (Some(u), _) => Some(u),
        (None, Some(b)) if depth < stages.len() => stages.get(b).and_then(|s| effective_user(stages, s, depth + 1)),
        _ => None,
    }
}

/// The image a stage ultimately starts from (following `FROM <stage>`).
fn root_image<'a>(stages: &'a [Stage], stage: &'a Stage) -> &'a str {
    let mut s = stage;
    for _ in 0..stages.len() {
        match s.base_stage.and_then(|b| stages.get(b)) {
            Some(b) => s = b,
            None => break,
        }
    }
    &s.base_resolved
}

/// GR009: the final stage's user is not root.
pub(crate) fn final_stage_root(ctx: &Context, out: &mut Vec<Finding>) {
    let stages = &ctx.df.stages;
    let stage = ctx.final_stage();
    let check = "the grader's `user` check verifies this on the built image";
    // A `$VAR` in the stage's own USER is read with the stage's ARG defaults; one inherited
    // from another stage is left alone (its ARGs are that stage's).
    let own_user = body(stage).iter().rev().find(|i| i.is("USER"));
    let expanded = effective_user(stages, stage, 0).map(|u| match own_user {
        _ if !u.contains('$') => Some(u.to_string()),
        Some(i) => expand_user(ctx.df, stage, u, i.lines.start),
        None => None,
    });
    match expanded.as_ref().map(|u| u.as_deref()) {
        Some(None) => {}
        Some(Some(u)) if is_root_user(u) => {
            let ins = body(stage).iter().rev().find(|i| i.is("USER")).unwrap_or(stage.from());
            out.push(ctx.finding(
                ids::FINAL_STAGE_ROOT,
                stage,
                ins,
                format!(
                    "the final stage runs as root ({}): switch to an unprivileged user, e.g. `USER 65532:65532` or a user you create; {check}",
                    code(&format!("USER {u}"))
                ),
            ));
        }
        Some(_) => {}
        None => {
            let image = root_image(stages, stage);
            if base_is_nonroot(image) || image.contains('$') || image.is_empty() {
                return;
            }
            out.push(ctx.finding(
                ids::FINAL_STAGE_ROOT,
                stage,
                stage.from(),
                format!(
                    "the final stage has no USER and its base {} runs as root: add `USER 65532:65532` (or a user you create) at the end, or use a `:nonroot` base; {check}",
                    code(image)
                ),
            ));
        }
    }
}

/// Packages that are compilers or whole toolchains.
const TOOLCHAIN_PACKAGES: &[&str] = &[
    "gcc",
    "g++",
    "clang",
    "build-essential",
    "build-base",
    "musl-dev",
    "libc6-dev",
    "golang",
    "golang-go",
    "go",
    "rustc",
    "cargo",
    "gfortran",
    "default-jdk",
    "maven",
    "gradle",
];

/// Base images that are build toolchains (by repository name).
fn toolchain_image(image: &str) -> Option<&'static str> {
    let r = ImageRef::parse(image);
    let tag = r.tag.unwrap_or("");
    match r.name() {
        "golang" => Some("the Go toolchain"),
        "rust" => Some("the Rust toolchain"),
        "gcc" => Some("gcc"),
        "maven" => Some("Maven and a JDK"),
        "gradle" => Some("Gradle and a JDK"),
        "sdk" if r.repository.contains("dotnet") => Some("the .NET SDK"),
        "openjdk" | "eclipse-temurin" | "amazoncorretto" if tag.contains("jdk") => Some("a JDK"),
        _ => None,
    }
}

fn is_toolchain_package(p: &str) -> bool {
    let p = p.split(['=', ':']).next().unwrap_or(p);
    TOOLCHAIN_PACKAGES.contains(&p)
        || (p.starts_with("openjdk-") && p.contains("-jdk"))
        || (p.starts_with("gcc-") && p[4..].chars().all(|c| c.is_ascii_digit()))
}

/// GR012: the image that ships (the final stage) carries a compiler or toolchain.
pub(crate) fn toolchain_in_runtime(ctx: &Context, out: &mut Vec<Finding>) {
    let stages = &ctx.df.stages;
    let stage = ctx.final_stage();
    let advice = if stages.len() == 1 {
        "this single-stage build ships it in the runtime image: compile in a builder stage and `COPY --from` only the result into a slim runtime stage"
    } else {
        "the final stage ships it: keep the toolchain in a builder stage and `COPY --from` only the result"
    };
    let image = root_image(stages, stage);
    if let Some(what) = toolchain_image(image) {
        out.push(ctx.finding(
            ids::TOOLCHAIN_IN_RUNTIME,
            stage,
            stage.from(),
            format!("base image {} contains {what}; {advice}", code(image)),
        ));
        return;
    }
    for (ins, commands) in ctx.runs(stage) {
        for cmd in commands {
            let prog = program(cmd);
            let installs = match prog {
                "apt-get" | "apt" => shell::apt(cmd) == Some("install"),
                "apk" => cmd.iter().any(|w| w == "add"),
                "yum" | "dnf" | "microdnf" => cmd.iter().any(|w| w == "install"),
                _ => false,
            };
            let found: Vec<&str> = if installs {
                cmd.iter()
                    .skip(1)
                    .filter(|w| !w.starts_with('-'))
                    .map(String::as_str)
                    .filter(|w| is_toolchain_package(w))
                    .collect()
            } else if cmd.iter().any(|w| w.contains("sh.rustup.rs")) {
                vec!["rustup"]
            } else {
                Vec::new()
            };
            if !found.is_empty() {
                out.push(ctx.finding(
                    ids::TOOLCHAIN_IN_RUNTIME,
                    stage,
                    ins,
                    format!("installs {}; {advice}", code(&found.join(" "))),
                ));
                return;
            }
        }
    }
}
