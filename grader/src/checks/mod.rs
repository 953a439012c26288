//! Checks: pure functions from (spec, facts) to a verdict. No engine here, so every rule can be
//! unit-tested with facts built by hand; the integration tests prove them on a real engine.

mod cache;
mod context;
mod lint;
mod paths;
mod size;
mod smoke;
mod stages;
mod stop;
mod target;
mod targets;
mod user;

use serde::Serialize;

use crate::facts::Facts;
use workbook::spec::{CheckKind, CheckSpec, Spec};

/// One check's verdict, as every report renders it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub id: String,
    pub kind: String,
    pub passed: bool,
    /// Points awarded (all or nothing).
    pub points: u32,
    pub max_points: u32,
    /// One sentence naming the measured value and the target.
    pub message: String,
    /// The Dockerfile line to blame, when one is.
    pub line: Option<usize>,
    /// Further lines that explain a failure (biggest layers, offending paths, log tail).
    pub details: Vec<String>,
    /// The check's hint ladder (shown when it fails), vaguest first.
    pub hints: Vec<String>,
    /// The book section to read, relative to the book's root.
    pub book: String,
}

/// What a check function decides; points, hints and book come from the spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Finding {
    pub passed: bool,
    pub message: String,
    pub line: Option<usize>,
    pub details: Vec<String>,
}

impl Finding {
    pub fn pass(message: impl Into<String>) -> Finding {
        Finding { passed: true, message: message.into(), ..Finding::default() }
    }
    pub fn fail(message: impl Into<String>) -> Finding {
        Finding { passed: false, message: message.into(), ..Finding::default() }
    }
    pub fn at(mut self, line: Option<usize>) -> Finding {
        self.line = line;
        self
    }
    pub fn with_details(mut self, details: Vec<String>) -> Finding {
        self.details = details;
        self
    }
}

/// Judges every check of the spec against the facts, in spec order.
pub fn evaluate(spec: &Spec, facts: &Facts) -> Vec<Verdict> {
    spec.checks.iter().map(|c| verdict(spec, c, facts)).collect()
}

fn verdict(spec: &Spec, check: &CheckSpec, facts: &Facts) -> Verdict {
    let finding = judge(spec, check, facts);
    Verdict {
        id: check.id.clone(),
        kind: check.kind.name().to_string(),
        passed: finding.passed,
        points: if finding.passed { check.points } else { 0 },
        max_points: check.points,
        message: finding.message,
        line: finding.line,
        details: finding.details,
        hints: check.hints.clone(),
        book: check.book.clone().unwrap_or_else(|| spec.book.clone()),
    }
}

fn judge(spec: &Spec, check: &CheckSpec, facts: &Facts) -> Finding {
    // The Dockerfile alone decides the stage structure and the lint rules; the rest needs the image.
    match &check.kind {
        CheckKind::Stages(s) => return stages::check(s, facts),
        CheckKind::Lint(l) => return lint::check(l, spec.build.target.as_deref(), facts),
        _ => {}
    }
    if facts.image.is_none() {
        return Finding::fail("not measured: the build failed (see above)");
    }
    match &check.kind {
        CheckKind::Stages(_) | CheckKind::Lint(_) => unreachable!("handled above"),
        CheckKind::Size(s) => size::check(s, facts),
        CheckKind::User(u) => user::check(u, facts),
        CheckKind::Cache(c) => cache::check(c, facts.cache.get(&check.id), facts),
        CheckKind::Absent(p) => paths::absent(p, facts),
        CheckKind::Present(p) => paths::present(p, facts),
        CheckKind::Smoke(_) => smoke::check(facts.smoke.get(&check.id)),
        CheckKind::Context(c) => context::check(c, facts),
        CheckKind::Target(t) => target::check(t, facts.target.get(&check.id)),
        CheckKind::Stop(s) => stop::check(s, facts.stop.get(&check.id), runtime_command_line(facts)),
        CheckKind::Targets(t) => targets::check(t, facts.targets.get(&check.id)),
    }
}

/// The final stage's last CMD or ENTRYPOINT: what starts PID 1.
fn runtime_command_line(facts: &Facts) -> Option<usize> {
    let df = facts.dockerfile.as_ref().ok()?;
    let last = df.final_stage()?;
    last.instructions.iter().rev().find(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT").map(|i| i.lines.start)
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Facts built by hand for the check unit tests.
    use std::collections::BTreeMap;

    use crate::facts::build::{BuildOutcome, Builder, Step};
    use crate::facts::image::{EntryKind, FileEntry, ImageFacts, Layer};
    use crate::facts::Facts;

    pub const SOLUTION: &str = "FROM golang:1-trixie AS builder\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=builder /out/app /app\nENTRYPOINT [\"/app\"]\n";

    pub fn facts(dockerfile: &str) -> Facts {
        Facts {
            dockerfile_path: "exercises/ex1/Dockerfile".into(),
            dockerfile: dockerfile::parse(dockerfile).map_err(|e| e.to_string()),
            context_files: 3,
            context_bytes: 100,
            build: BuildOutcome {
                builder: Builder::BuildKit,
                steps: vec![],
                failure: None,
                stopped_early: false,
                duration: Default::default(),
            },
            image: Some(ImageFacts::default()),
            cache: BTreeMap::new(),
            smoke: BTreeMap::new(),
            engine_version: "test".into(),
            run_id: "test".into(),
            starter_size: None,
            context_paths: vec![],
            context_ignore: Default::default(),
            target: BTreeMap::new(),
            stop: BTreeMap::new(),
            targets: BTreeMap::new(),
        }
    }

    pub fn step(name: &str, cached: bool) -> Step {
        Step { name: name.into(), cached, completed: true, ..Step::default() }
    }

    pub fn with_files(mut f: Facts, layers: &[(&str, u64)], files: &[(&str, usize)]) -> Facts {
        let image = f.image.as_mut().unwrap();
        image.layers =
            layers.iter().map(|(c, b)| Layer { content_bytes: *b, entries: 1, created_by: c.to_string() }).collect();
        image.content_size = layers.iter().map(|(_, b)| b).sum();
        image.files = files
            .iter()
            .map(|(p, l)| (p.to_string(), FileEntry { kind: EntryKind::File, size: 1, mode: 0o644, uid: 0, layer: *l }))
            .collect();
        f
    }
}
