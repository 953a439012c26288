//! The build plan: from the spec, the Dockerfile's text and the options, what to build and
//! how (the Dockerfile as parsed, the builder, what only BuildKit builds right, the canary to
//! search for), before any engine call. [`BuildRequest`] is one build of the plan.

use std::collections::BTreeMap;
use std::path::Path;

use workbook::spec::{CanaryPlace, CheckKind};
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
    /// The secret a `context` check searches for in the files the context sends.
    pub context_canary: Option<&'e str>,
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
        let canary_in = |place| {
            exercise.spec.checks.iter().find_map(|c| match &c.kind {
                CheckKind::Context(x) => x.canary_for(place),
                _ => None,
            })
        };
        let (canary, context_canary) = (canary_in(CanaryPlace::Image), canary_in(CanaryPlace::Context));
        Plan {
            exercise,
            dockerfile,
            dockerfile_path: shown_path(exercise, dir, cwd, dockerfile),
            parsed,
            needs_buildkit,
            canary,
            context_canary,
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

    /// The `COPY --from=` sources that name no stage of the Dockerfile, with their line: the
    /// engine takes such a name for an image and, when it has none, looks it up in a registry,
    /// so a typo in a stage name comes back as a network error or a missing image.
    pub fn copy_sources_not_stages(&self) -> Vec<(&str, usize)> {
        let Ok(df) = self.parsed.as_ref() else { return Vec::new() };
        let names: Vec<&str> = df.stages.iter().filter_map(|s| s.name.as_deref()).collect();
        df.stages
            .iter()
            .flat_map(|s| &s.instructions)
            .filter(|i| i.keyword.eq_ignore_ascii_case("COPY"))
            .filter_map(|i| Some((i.flags.iter().find(|f| f.name == "from")?.value.as_deref()?, i.lines.start)))
            .filter(|(from, _)| {
                let lower = from.to_lowercase();
                !names.contains(&lower.as_str()) && lower.parse::<usize>().is_err() && !from.contains('$')
            })
            .collect()
    }

    /// The learner's failed build for a `COPY --from=<from>` (at `line`) that names neither a
    /// stage nor an image the engine has.
    pub fn unknown_copy_source(&self, from: &str, line: usize) -> BuildFailure {
        let names: Vec<&str> = self
            .parsed
            .as_ref()
            .map(|df| df.stages.iter().filter_map(|s| s.name.as_deref()).collect())
            .unwrap_or_default();
        BuildFailure {
            message: format!(
                "`COPY --from={from}` ({}:{line}) names no stage of this Dockerfile (its stages: {}), and Docker \
                 has no image called `{from}` either (Docker would look for one in a registry). Name a stage \
                 defined above it (`FROM ... AS <name>`), or its number; for an image, grade with --pull.",
                self.dockerfile_path,
                if names.is_empty() { "none named".to_string() } else { names.join(", ") }
            ),
            step: None,
            line: Some(line),
            missing_base: None,
            infrastructure: None,
        }
    }

    /// What to add to an engine's message that only says the Dockerfile is malformed when the
    /// cause is a heredoc the engine's built-in Dockerfile frontend cannot read: dockerd 20.10
    /// (BuildKit before 0.10) parses the heredoc's lines as instructions and says "unknown
    /// instruction: SET" for a `set -e` inside one.
    pub fn explain_engine_message(&self, message: &str) -> Option<String> {
        let df = self.parsed.as_ref().ok()?;
        let heredoc = df.stages.iter().flat_map(|s| &s.instructions).find(|i| !i.heredocs.is_empty())?;
        if !message.to_lowercase().contains("unknown instruction") || df.directive("syntax").is_some() {
            return None;
        }
        Some(format!(
            "The Dockerfile's heredoc ({}:{}) is the cause: this engine's built-in Dockerfile frontend \
             does not read heredocs, so it took the heredoc's lines for instructions. Heredocs are built \
             in from Docker 23 (BuildKit 0.10); on an older engine add `# syntax=docker/dockerfile:1` as \
             the first line (the engine then fetches a newer frontend from Docker Hub), or update Docker.",
            self.dockerfile_path, heredoc.lines.start
        ))
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
            throwaway: false,
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
    /// The context carries this run's own edits (a probe's): no other build can reuse what is
    /// built from it, so every image the classic builder commits for it is removed with the run.
    pub throwaway: bool,
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
