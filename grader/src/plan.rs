//! The build plan: from the spec, the Dockerfile's text and the options, what to build and
//! how (the Dockerfile as parsed, the builder, what only BuildKit builds right, the canary to
//! search for), before any engine call. [`BuildRequest`] is one build of the plan.

use std::collections::BTreeMap;
use std::path::Path;

use workbook::spec::CheckKind;
use workbook::Exercise;

use crate::context::BuildContext;
use crate::facts::build::{BuildFailure, Builder};

/// Options that change how the exercise is built (not what is judged).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    pub pull: bool,
    pub builder: Builder,
    /// Seconds one build may run (`--timeout`); `None`: the spec's `build.timeout_s`.
    pub timeout: Option<u64>,
}

/// How one exercise folder is built and measured.
#[derive(Debug)]
pub struct Plan<'e> {
    pub exercise: &'e Exercise,
    /// The Dockerfile's path inside the folder, as the spec names it.
    pub dockerfile: &'e str,
    /// The Dockerfile's path as messages show it (see [`shown_path`]).
    pub dockerfile_path: String,
    /// The parsed Dockerfile, or the parser's error. A Dockerfile the parser rejects is never
    /// sent to the engine (see [`Plan::rejected`]).
    pub parsed: Result<dockerfile::Dockerfile, dockerfile::ParseError>,
    /// What in the Dockerfile only BuildKit builds right (see [`needs_buildkit`]).
    pub needs_buildkit: Option<String>,
    /// The secret a `context` check plants, searched for in every layer of the image.
    pub canary: Option<&'e str>,
    pub options: BuildOptions,
}

impl<'e> Plan<'e> {
    /// The plan for the copy of `exercise` in `dir`, whose Dockerfile reads `dockerfile_text`;
    /// `cwd` is the directory paths are shown relative to.
    pub fn new(
        exercise: &'e Exercise,
        dir: &Path,
        cwd: &Path,
        dockerfile_text: &str,
        options: BuildOptions,
    ) -> Plan<'e> {
        let dockerfile = exercise.spec.build.dockerfile.as_str();
        let parsed = dockerfile::parse(dockerfile_text);
        let needs_buildkit = parsed.as_ref().ok().and_then(|df| needs_buildkit(df, dockerfile));
        let canary = exercise.spec.checks.iter().find_map(|c| match &c.kind {
            CheckKind::Context(x) => x.canary.as_deref(),
            _ => None,
        });
        Plan {
            exercise,
            dockerfile,
            dockerfile_path: shown_path(exercise, dir, cwd, dockerfile),
            parsed,
            needs_buildkit,
            canary,
            options,
        }
    }

    /// The learner's failed build when our parser rejects the Dockerfile: such a file is never
    /// sent to the engine. Engines' own parsers are not all robust: dockerd 20.10's Dockerfile
    /// frontend panics on a file of only `ARG` lines ("index out of range [-1]") and the whole
    /// daemon exits, for every user of the machine.
    pub fn rejected(&self) -> Option<BuildFailure> {
        let e = self.parsed.as_ref().err()?;
        Some(BuildFailure {
            message: format!(
                "{}:{}: {}\nThe grader's Dockerfile parser rejects this file, so it was not sent to Docker: \
                 fix that line, then grade again (`grader lint {}` checks it without building).",
                self.dockerfile_path, e.line, e.message, self.dockerfile_path
            ),
            step: None,
            line: Some(e.line),
            missing_base: None,
            infrastructure: None,
        })
    }

    /// The main build of the plan: `context` tagged `tag`.
    pub fn request<'p>(&'p self, context: &'p BuildContext, tag: &'p str) -> BuildRequest<'p> {
        let build = &self.exercise.spec.build;
        BuildRequest {
            context,
            dockerfile: self.dockerfile,
            tag,
            target: build.target.as_deref(),
            args: &build.args,
            pull: self.options.pull,
            builder: self.options.builder,
            stop_at: None,
            needs_buildkit: self.needs_buildkit.as_deref(),
            timeout: std::time::Duration::from_secs(self.options.timeout.unwrap_or(build.timeout_s)),
        }
    }
}

/// What to build.
#[derive(Clone, Copy)]
pub struct BuildRequest<'a> {
    pub context: &'a BuildContext,
    pub dockerfile: &'a str,
    pub tag: &'a str,
    pub target: Option<&'a str>,
    pub args: &'a BTreeMap<String, String>,
    pub pull: bool,
    pub builder: Builder,
    /// Stop the build as soon as the step with this name (as the main build reported it) is
    /// known to be cached or to be running: the cache probe needs nothing more, and the rest
    /// may take minutes.
    pub stop_at: Option<&'a str>,
    /// What in the Dockerfile only BuildKit builds right, said for a learner ("a heredoc
    /// (Dockerfile:11)"): `Auto` must not fall back to the classic builder, which runs
    /// `RUN <<EOF` as an empty script and reports success, and rejects BuildKit-only flags.
    pub needs_buildkit: Option<&'a str>,
    /// How long the build may run before the grader cancels it in the engine and fails it.
    pub timeout: std::time::Duration,
}

/// The Dockerfile's path as messages show it: relative to the current directory when the
/// learner's own folder is graded, `exercises/<id>/...` for a temporary overlay.
pub fn shown_path(exercise: &Exercise, dir: &Path, cwd: &Path, df_rel: &str) -> String {
    if dir == exercise.dir {
        let full = dir.join(df_rel);
        let abs = if full.is_absolute() { full } else { cwd.join(full) };
        if let Ok(rel) = abs.strip_prefix(cwd) {
            return rel.display().to_string();
        }
        return abs.display().to_string();
    }
    format!("exercises/{}/{df_rel}", exercise.id)
}

/// The first thing in the Dockerfile that only BuildKit builds right, said for a learner:
/// heredocs (the classic builder runs `RUN <<EOF` as an empty script and reports success) or
/// BuildKit-only flags (it rejects them). A `# syntax=` directive alone is fine: the classic
/// builder ignores it.
pub fn needs_buildkit(df: &dockerfile::Dockerfile, path: &str) -> Option<String> {
    let buildkit_flags = ["mount", "network", "security", "link", "parents", "exclude", "checksum", "keep-git-dir"];
    df.stages.iter().flat_map(|s| &s.instructions).find_map(|i| {
        if !i.heredocs.is_empty() {
            return Some(format!("a heredoc ({path}:{})", i.lines.start));
        }
        i.flags
            .iter()
            .find(|f| buildkit_flags.contains(&f.name.as_str()))
            .map(|f| format!("`{} --{}` ({path}:{})", i.keyword, f.name, i.lines.start))
    })
}
