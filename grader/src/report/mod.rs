//! The report: one value per grading run (the verdicts and what the build measured), and pure
//! renderers from it to text, one file per format.

pub mod classroom;
pub mod github;
pub mod json;
pub mod junit;
pub mod table;

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
        }
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

pub fn render(report: &Report, format: Format, style: crate::output::Style) -> String {
    match format {
        Format::Table => table::render(report, style),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::annotations(report),
        Format::Classroom => classroom::render(report),
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
    }
}
