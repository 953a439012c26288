//! Command-line declarations only; the doc comments are the `--help` text. Handlers live in
//! `commands/`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::facts::build::Builder;
use crate::report::Format;

/// Grades Docker multi-stage build exercises by building them on a real Docker engine.
/// With no command: where you are in the workbook and what to do next.
#[derive(Debug, Parser)]
#[command(name = "grader", version, about, long_about = None)]
pub struct Cli {
    /// The workbook folder (the one holding exercises/). Default: found from the current directory.
    #[arg(long, global = true, env = "GRADER_ROOT")]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the exercises with your progress: status, last score, what is next.
    List,
    /// Is this machine ready to grade? The engine, BuildKit, the image store, the offline kit, and
    /// which base images the workbook needs are present or missing (exit 1 when some are missing).
    Doctor,
    /// Build exercises' Dockerfiles and grade them (exit 0: all passed, 1: a check failed, 2: could
    /// not grade; for several exercises, the worst of them).
    Check {
        /// Exercise ids (e.g. ex1 ex3) or folders. Default: the exercise folder you are in.
        exercises: Vec<String>,
        /// Grade every exercise of the workbook, one report each and a total.
        #[arg(long, conflicts_with = "exercises")]
        all: bool,
        #[command(flatten)]
        build: BuildArgs,
        /// Output format on stdout.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write the report in FORMAT to PATH, from the same grading (repeatable), e.g.
        /// `--output junit=report.xml --output classroom=result.json`. Written when the grader
        /// could not grade, too.
        #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_output)]
        output: Vec<OutputFile>,
    },
    /// Lint a Dockerfile (or an exercise's) with the course's rules; no engine needed.
    /// Exit 1 when there is a warning or an error.
    Lint {
        /// A Dockerfile, a folder holding one, or an exercise id.
        dockerfile: String,
        /// The stage treated as final, as with `docker build --target`.
        #[arg(long)]
        target: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
    },
    /// List the lint rules, or explain one (`grader explain GR003`).
    Explain {
        /// A rule id or name.
        rule: Option<String>,
    },
    /// Put an exercise's starter files back, after saving yours to a timestamped backup.
    /// Asks first on a terminal; elsewhere needs --yes.
    Reset {
        /// Exercise id (e.g. ex1). Default: the exercise folder you are in.
        exercise: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
        /// Also remove the ignore files you added that the starter does not have (.dockerignore);
        /// they are in the backup too.
        #[arg(long)]
        remove_added: bool,
    },
    /// Grade an exercise, then again each time you save a change to it. Keys: h hint, r re-run,
    /// l list, n next exercise, q quit.
    Watch {
        /// Exercise id (e.g. ex1). Default: the exercise folder you are in.
        exercise: Option<String>,
        #[command(flatten)]
        build: BuildArgs,
        /// Do not watch files: grade again only when you press r (for network mounts and file
        /// systems where watching fails).
        #[arg(long)]
        manual: bool,
    },
    /// Reveal the next hint for the first failing check, vaguest first (run it again for a
    /// more specific one). The grader remembers how far you went.
    Hint {
        /// Exercise id (e.g. ex1). Default: the exercise folder you are in.
        exercise: Option<String>,
        /// Show every hint revealed so far, revealing nothing new.
        #[arg(long)]
        all: bool,
    },
    /// The reference Dockerfile and how yours differs, once your own passed every check.
    Solution {
        /// Exercise id (e.g. ex1). Default: the exercise folder you are in.
        exercise: Option<String>,
        /// Show it before you passed (this spoils the exercise).
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (e.g. `grader completions bash > ~/.local/share/bash-completion/completions/grader`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (`grader man > grader.1; man ./grader.1`).
    Man,
    /// For maintainers: every starter fails the checks its spec lists, and every reference
    /// solution passes them all.
    Verify {
        /// Exercise ids to verify. Default: all.
        exercises: Vec<String>,
        #[command(flatten)]
        build: BuildArgs,
    },
    /// For instructors: grade a class. Each submission (a student's workbook checkout: a folder
    /// or a git repository) is graded against this workbook's specs; the gradebook (CSV, JSON,
    /// summary.md) goes to --out. A re-run skips what did not change. Exit 0: every grading
    /// passed, 1: some check failed, 2: some grading could not be done.
    Class {
        /// Folders of student folders, student folders, git repositories (URL or path), or
        /// roster files listing them (`[name] location` per line).
        #[arg(required = true)]
        roster: Vec<String>,
        /// An exercise to grade (repeatable). Default: every exercise of the workbook.
        #[arg(long = "exercise", short = 'e', value_name = "ID")]
        exercises: Vec<String>,
        /// Gradings at once on each engine.
        #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: u16,
        /// An engine to grade on (repeatable; e.g. unix:///var/run/docker.sock, tcp://host:2375).
        /// A submission whose engine fails is graded once more on another. Default: the engine
        /// `grader check` uses.
        #[arg(long = "engine", value_name = "ADDRESS")]
        engines: Vec<String>,
        /// The folder the gradebook is written to (and resumed from).
        #[arg(long, default_value = "gradebook")]
        out: PathBuf,
        /// Grade everything again, even gradings whose inputs did not change.
        #[arg(long)]
        fresh: bool,
        #[command(flatten)]
        build: BuildArgs,
    },
    /// Remove what killed gradings left in Docker: containers and images labelled
    /// dev.grader.run whose grader process is gone (or over a day old). Nothing else is touched.
    Clean {
        /// Only list what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `--output FORMAT=PATH`: a report written to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub format: Format,
    pub path: PathBuf,
}

fn parse_output(s: &str) -> Result<OutputFile, String> {
    let (format, path) =
        s.split_once('=').ok_or_else(|| format!("expected FORMAT=PATH (e.g. junit=report.xml), got {s:?}"))?;
    if path.is_empty() {
        return Err(format!("no path after {format}= (e.g. junit=report.xml)"));
    }
    let format = format.parse::<Format>().map_err(|_| {
        format!("unknown format {format:?}: use one of table, json, junit, github, classroom (e.g. junit=report.xml)")
    })?;
    Ok(OutputFile { format, path: PathBuf::from(path) })
}

/// Options of the builds the grader runs.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct BuildArgs {
    /// Pull newer base images from the registry before building (off by default: works offline).
    #[arg(long)]
    pub pull: bool,
    /// The builder: BuildKit with a fallback to the classic builder (auto), or one of them.
    #[arg(long, value_enum, default_value_t = BuilderArg::Auto)]
    pub builder: BuilderArg,
    /// Cancel a build that runs longer than this many seconds and fail it (default: the spec's
    /// build.timeout_s, 900).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BuilderArg {
    Auto,
    Buildkit,
    Classic,
}

impl From<BuilderArg> for Builder {
    fn from(b: BuilderArg) -> Builder {
        match b {
            BuilderArg::Auto => Builder::Auto,
            BuilderArg::Buildkit => Builder::BuildKit,
            BuilderArg::Classic => Builder::Classic,
        }
    }
}

/// Output formats of `grader lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// `Dockerfile:12 GR003 warning: message`, one per line.
    Text,
    /// One JSON object with the parsed stages and the findings.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}
