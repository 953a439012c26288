//! The record of one build, as the engine reported it: its steps (name, cached, started,
//! error, log tail) and why it failed. Plain data; `engine::build` fills it, the checks and the
//! cache probe read it. Step names are BuildKit's (`[stage n/m] INSTRUCTION`); the classic
//! builder's are rewritten to that shape.

use std::time::Duration;

/// Which builder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    /// BuildKit, falling back to the classic builder when the engine cannot run BuildKit.
    #[default]
    Auto,
    BuildKit,
    Classic,
}

/// One build step as the engine reported it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Step {
    /// The engine's name for it, e.g. `[builder 3/6] RUN go mod download`.
    pub name: String,
    /// Whether the result came from the build cache.
    pub cached: bool,
    /// The step's error, if it failed.
    pub error: Option<String>,
    /// The last lines of the step's output.
    pub log_tail: String,
    /// Whether the step started executing (a cached step may never start).
    pub started: bool,
    /// Whether the step ran to completion (or was served from cache).
    pub completed: bool,
    /// The classic builder's image for this step (its short id, from ` ---> 1a2b3c4d5e6f`),
    /// once committed or found in the cache. BuildKit makes no image per step.
    #[serde(skip)]
    pub image: Option<String>,
}

impl Step {
    /// The instruction text when this is a COPY or ADD step.
    pub fn copy_instruction(&self) -> Option<&str> {
        let i = self.parsed()?.instruction;
        (i.starts_with("COPY") || i.starts_with("ADD")).then_some(i)
    }

    /// The image the classic builder committed for this step in this build (not found in the
    /// cache, not a `FROM`): an image the build created.
    pub fn committed_image(&self) -> Option<&str> {
        let from = self.parsed().is_some_and(|p| p.instruction.starts_with("FROM "));
        self.image.as_deref().filter(|_| !self.cached && !from)
    }

    /// Whether this is a COPY or ADD of the build context that can bring in `file`.
    pub fn brings_in(&self, file: &str) -> bool {
        self.copy_instruction().is_some_and(|i| copies_file(i, file))
    }

    /// The parts of a BuildKit-style name: stage (`builder`, `stage-1`, none for a one-stage
    /// build), and the instruction text (`RUN go mod download`). `None` for internal steps.
    pub fn parsed(&self) -> Option<StepName<'_>> {
        let rest = self.name.strip_prefix('[')?;
        let (inside, instruction) = rest.split_once("] ")?;
        if inside == "internal" || inside.starts_with("auth") {
            return None;
        }
        let (stage, counter) = match inside.rsplit_once(' ') {
            Some((stage, counter)) => (Some(stage), counter),
            None => (None, inside),
        };
        let (n, total) = counter.split_once('/')?;
        Some(StepName { stage, number: n.parse().ok()?, total: total.parse().ok()?, instruction })
    }
}

/// A step name taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepName<'a> {
    pub stage: Option<&'a str>,
    pub number: usize,
    pub total: usize,
    pub instruction: &'a str,
}

/// Why a build did not produce an image.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BuildFailure {
    /// The engine's final error message.
    pub message: String,
    /// Index into `steps` of the step that failed, when known.
    pub step: Option<usize>,
    /// The Dockerfile line to blame when no step names it (our parser rejected the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// A base image that could not be found locally or pulled.
    pub missing_base: Option<String>,
    /// Not the Dockerfile's fault: the network or the engine failed (see [`Infrastructure`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<Infrastructure>,
}

/// A build that failed for a reason outside the learner's Dockerfile.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Infrastructure {
    /// A step could not reach a host on the network (the host, or "" when unnamed).
    Network(String),
    /// The connection to the engine broke during the build (the engine stopped or restarted).
    EngineGone(String),
    /// The engine's own container networking failed under a step (its bridge is gone): the
    /// engine's message.
    EngineNetwork(String),
}

/// Everything one build reported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildOutcome {
    pub builder: Builder,
    /// Steps in the order the engine first reported them.
    pub steps: Vec<Step>,
    pub failure: Option<BuildFailure>,
    /// The build was stopped on purpose once `stop_at` was decided (no image was made).
    pub stopped_early: bool,
    #[serde(skip)]
    pub duration: Duration,
}

impl BuildOutcome {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }

    /// Steps that ran an instruction of the Dockerfile (internal and export steps left out).
    pub fn instruction_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.parsed().is_some_and(|p| !p.instruction.starts_with("FROM ")))
    }

    /// The first step of `step`'s stage (by step number, `step` included) that missed the cache.
    pub fn first_miss_up_to(&self, step: &Step) -> Option<&Step> {
        let d = step.parsed()?;
        self.instruction_steps()
            .filter(|s| !s.cached)
            .filter_map(|s| s.parsed().map(|p| (p, s)))
            .filter(|(p, _)| p.stage == d.stage && p.number <= d.number)
            .min_by_key(|(p, _)| p.number)
            .map(|(_, s)| s)
    }
}

/// Collapses runs of whitespace, so continuation lines and spacing do not matter.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a `COPY`/`ADD` of the build context (as the engine names the step) can bring in
/// `file` (a path relative to the context): one of its sources is the context itself, a folder
/// holding the file, the file, or a pattern matching it. `--from` copies never do.
pub fn copies_file(instruction: &str, file: &str) -> bool {
    let args: Vec<&str> = instruction.split_whitespace().skip(1).collect();
    if args.iter().any(|a| a.starts_with("--from")) {
        return false;
    }
    let words: Vec<String> = if args.first().is_some_and(|a| a.starts_with('[')) {
        // JSON form: COPY ["src", "dest"]
        let json = args.iter().skip_while(|a| a.starts_with("--")).copied().collect::<Vec<_>>().join(" ");
        serde_json::from_str::<Vec<String>>(&json).unwrap_or_default()
    } else {
        args.iter().filter(|a| !a.starts_with("--")).map(|a| a.to_string()).collect()
    };
    let Some((_dest, sources)) = words.split_last() else { return true };
    let file = file.trim_start_matches("./");
    sources.iter().any(|src| {
        let src = src.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
        src.is_empty()
            || src == "."
            || file == src
            || file.starts_with(&format!("{src}/"))
            || crate::glob::compile(src).is_ok_and(|re| re.is_match(file))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str) -> Step {
        Step { name: name.into(), ..Step::default() }
    }

    #[test]
    fn step_names_parse() {
        let s = step("[builder 3/6] RUN go mod download");
        let p = s.parsed().unwrap();
        assert_eq!((p.stage, p.number, p.total, p.instruction), (Some("builder"), 3, 6, "RUN go mod download"));
        let s = step("[2/3] COPY . .");
        assert_eq!(s.parsed().unwrap().stage, None);
        assert!(step("[internal] load build context").parsed().is_none());
        assert!(step("exporting to image").parsed().is_none());
    }

    #[test]
    fn a_copy_brings_in_the_edited_file_only_when_a_source_covers_it() {
        assert!(copies_file("COPY . .", "main.go"));
        assert!(copies_file("COPY ./ /src/", "main.go"));
        assert!(copies_file("COPY *.go ./", "main.go"));
        assert!(copies_file("COPY --chown=app src ./src", "src/main.rs"));
        assert!(copies_file(r#"COPY ["main.go", "go.mod", "./"]"#, "main.go"));
        assert!(!copies_file("COPY go.mod ./", "main.go"));
        assert!(!copies_file("COPY go.mod go.sum* ./", "main.go"));
        assert!(!copies_file("COPY src ./src", "main.go"));
        assert!(!copies_file("COPY --from=build /out/app /app", "main.go"));
    }
}
