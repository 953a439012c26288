//! The report: one value per grading run (the verdicts and what the build measured), and pure
//! renderers from it to text, one file per format.

pub mod classroom;
pub mod github;
mod grading;
pub mod json;
pub mod junit;
pub mod table;

pub use grading::{GradeError, Graded, Grading, Status};

use serde::Serialize;

use crate::checks::Verdict;
use crate::facts::Facts;
use crate::locate::instruction_of_step;
use workbook::Exercise;

/// Everything a renderer needs.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub exercise: String,
    pub title: String,
    /// The Dockerfile's path, for `file:line` references.
    pub dockerfile: String,
    pub verdicts: Vec<Verdict>,
    pub score: u32,
    pub max_score: u32,
    pub build: BuildSummary,
    /// Uncompressed layer content of the final image, bytes.
    pub image_size: Option<u64>,
    /// The engine's own size figure, bytes.
    pub engine_image_size: Option<u64>,
    pub context_files: usize,
    pub context_bytes: u64,
    /// The base images, with the version inside (their tags may name only a release line).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<crate::facts::image::BaseImage>,
    pub engine_version: String,
    /// The run's id: every engine object the run created carried `dev.grader.run=<id>`.
    pub run_id: String,
    /// Seconds each check's probe took, by check id (checks without a probe took none).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub probe_seconds: std::collections::BTreeMap<String, f64>,
}

/// How the main build went.
#[derive(Debug, Clone, Serialize)]
pub struct BuildSummary {
    pub builder: String,
    pub seconds: f64,
    pub failure: Option<FailedStep>,
}

/// The step a failed build stopped at.
#[derive(Debug, Clone, Serialize)]
pub struct FailedStep {
    /// The step's name (`[builder 5/6] RUN go build -o /out/app .`), if the engine named one.
    pub step: Option<String>,
    pub line: Option<usize>,
    pub message: String,
    /// The last lines of the step's output.
    pub output: Vec<String>,
}

const OUTPUT_LINES: usize = 15;

impl FailedStep {
    /// One line on where it stopped: `the build failed at [build 5/6] RUN go build (Dockerfile:11)`.
    pub fn headline(&self, dockerfile: &str) -> String {
        let step = self.step.as_deref().map(|s| format!(" at {s}")).unwrap_or_default();
        let at = self.line.map(|l| format!(" ({dockerfile}:{l})")).unwrap_or_default();
        format!("the build failed{step}{at}")
    }

    /// What to do about it.
    pub fn hint(&self, dockerfile: &str) -> String {
        let place = match self.line {
            Some(l) => format!("line {l} of {dockerfile}"),
            None => dockerfile.to_string(),
        };
        format!(
            "Read the step's last lines of output: they say why it stopped. Fix {place}, then \
             build it yourself (`docker build .` in the exercise folder) to see the whole log."
        )
    }

    /// The headline, the engine's message, the last lines of output and the hint, as text.
    pub fn text(&self, dockerfile: &str) -> String {
        let mut out = format!("{}\n{}\n", self.headline(dockerfile), self.message.trim());
        if !self.output.is_empty() {
            out.push_str("last lines of its output:\n");
            for l in &self.output {
                out.push_str(&format!("  | {l}\n"));
            }
        }
        out.push_str(&format!("hint: {}\n", self.hint(dockerfile)));
        out
    }
}

impl Report {
    pub fn new(exercise: &Exercise, facts: &Facts, verdicts: Vec<Verdict>) -> Report {
        let failure = facts.build.failure.as_ref().map(|f| {
            let step = f.step.and_then(|i| facts.build.steps.get(i));
            let line = step.and_then(|s| {
                let df = facts.dockerfile.as_ref().ok()?;
                Some(instruction_of_step(df, &s.parsed()?)?.lines.start)
            });
            let output: Vec<String> = step
                .map(|s| s.log_tail.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default();
            let skip = output.len().saturating_sub(OUTPUT_LINES);
            FailedStep {
                step: step.map(|s| s.name.clone()),
                line: line.or(f.line),
                message: f.message.clone(),
                output: output[skip..].to_vec(),
            }
        });
        Report {
            exercise: exercise.id.clone(),
            title: exercise.spec.title.clone(),
            dockerfile: facts.dockerfile_path.clone(),
            score: verdicts.iter().map(|v| v.points).sum(),
            max_score: verdicts.iter().map(|v| v.max_points).sum(),
            verdicts,
            build: BuildSummary {
                builder: format!("{:?}", facts.build.builder).to_lowercase(),
                seconds: facts.build.duration.as_secs_f64(),
                failure,
            },
            image_size: facts.image.as_ref().map(|i| i.content_size),
            engine_image_size: facts.image.as_ref().map(|i| i.engine_size),
            context_files: facts.context_files,
            context_bytes: facts.context_bytes,
            bases: facts.bases.clone(),
            engine_version: facts.engine_version.clone(),
            run_id: facts.run_id.clone(),
            probe_seconds: facts.probe_time.iter().map(|(id, t)| (id.clone(), t.as_secs_f64())).collect(),
        }
    }

    pub fn status(&self) -> Status {
        if self.passed() {
            Status::Pass
        } else {
            Status::Fail
        }
    }

    /// Seconds spent on check `id`: its probe's, none for a check judged from the main build.
    pub fn check_seconds(&self, id: &str) -> f64 {
        self.probe_seconds.get(id).copied().unwrap_or(0.0)
    }

    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.passed)
    }

    pub fn failed_ids(&self) -> Vec<&str> {
        self.verdicts.iter().filter(|v| !v.passed).map(|v| v.id.as_str()).collect()
    }
}

/// Output formats of `grader check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON object (the whole report).
    Json,
    /// JUnit XML, one test case per check (GitLab, Jenkins test reports).
    Junit,
    /// GitHub Actions annotations; also appends a summary to $GITHUB_STEP_SUMMARY when set.
    Github,
    /// The result JSON GitHub Classroom's autograding reporter reads (base64 it into a step output).
    Classroom,
}

/// One exercise's report in `format`.
pub fn render(report: &Report, format: Format, style: crate::output::Style) -> String {
    render_grading(&Grading::one(Graded::Done(Box::new(report.clone()))), format, style)
}

/// A whole run (one exercise or several, graded or not) in `format`.
pub fn render_grading(grading: &Grading, format: Format, style: crate::output::Style) -> String {
    match format {
        Format::Table => table::render_grading(grading, style),
        Format::Json => json::render(grading),
        Format::Junit => junit::render(grading),
        Format::Github => github::annotations(grading),
        Format::Classroom => classroom::render(grading),
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        <Format as clap::ValueEnum>::from_str(s, true)
    }
}

#[cfg(test)]
pub(crate) fn sample() -> Report {
    use crate::checks::Verdict;
    let v = |id: &str, passed: bool, points: u32, message: &str| Verdict {
        id: id.into(),
        kind: id.into(),
        passed,
        points: if passed { points } else { 0 },
        max_points: points,
        message: message.into(),
        line: if passed { None } else { Some(1) },
        details: if passed { vec![] } else { vec!["800 MB comes from the base image golang:1-trixie".into()] },
        hints: vec!["Build in one stage, ship from another.".into(), "Use COPY --from.".into()],
        book: "exercises/ex1.md".into(),
    };
    Report {
        exercise: "ex1".into(),
        title: "Go: from golang to scratch".into(),
        dockerfile: "exercises/ex1/Dockerfile".into(),
        verdicts: vec![
            v("size", false, 25, "812 MB of layer content, over the 20.0 MB budget"),
            v("smoke", true, 15, "GET /healthz answered 200 on port 8080 (0.4 s)"),
        ],
        score: 15,
        max_score: 40,
        build: BuildSummary { builder: "buildkit".into(), seconds: 12.5, failure: None },
        image_size: Some(812_000_000),
        engine_image_size: Some(812_000_000),
        context_files: 5,
        context_bytes: 2048,
        bases: Vec::new(),
        engine_version: "20.10.24".into(),
        run_id: "0123456789".into(),
        probe_seconds: [("smoke".to_string(), 1.25)].into(),
    }
}

#[cfg(test)]
pub(crate) fn sample_build_failed() -> Report {
    let mut r = sample();
    for v in &mut r.verdicts {
        v.passed = false;
        v.points = 0;
        v.line = None;
        v.details.clear();
        v.message = "not measured: the build failed".into();
    }
    r.score = 0;
    r.image_size = None;
    r.engine_image_size = None;
    r.probe_seconds.clear();
    r.build.failure = Some(FailedStep {
        step: Some("[build 5/6] RUN go biuld -o /out/app .".into()),
        line: Some(11),
        message: "process \"/bin/sh -c go biuld -o /out/app .\" did not complete successfully: exit code: 1".into(),
        output: vec!["go: unknown command \"biuld\"".into(), "::warning::planted by the learner".into()],
    });
    r
}

/// A run where `ex2` could not be graded.
#[cfg(test)]
pub(crate) fn sample_error() -> Grading {
    Grading {
        exercises: vec![Graded::Error(GradeError {
            exercise: "ex1".into(),
            message: "Docker is not running: start Docker Desktop or `sudo systemctl start docker`".into(),
            max_score: Some(40),
        })],
    }
}
