//! Checks: pure functions from (spec, facts) to a verdict. No engine here, so every rule can be
//! unit-tested with facts built by hand; the integration tests prove them on a real engine.
//! One file per check kind (named as the kind), each with `NEEDS_IMAGE` (whether the check reads
//! the built image) and `judge(settings, cx)`.

// The modules and the dispatch below come from the one list of kinds in the `workbook` crate.
macro_rules! judges {
    ($($variant:ident($settings:ident) $name:ident $([$probe:ident])?,)*) => {
        $(mod $name;)*

        /// Judges one check with its kind's module, after the one rule every kind shares: a check
        /// that reads the image is not measured when the build failed.
        fn judge(cx: &Cx<'_>) -> Finding {
            match &cx.check.kind {
                $(CheckKind::$variant(settings) => {
                    if $name::NEEDS_IMAGE && cx.facts.image.is_none() {
                        return Finding::not_measured("the build failed");
                    }
                    $name::judge(settings, cx)
                })*
            }
        }
    };
}
workbook::for_each_check_kind!(judges);

use serde::Serialize;

use crate::facts::{Facts, NotMeasured, ProbeKind};
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
    /// The one way to say a check could not measure: a failure (never points for it) whose
    /// message starts `not measured: `.
    pub fn not_measured(reason: impl std::fmt::Display) -> Finding {
        Finding::fail(format!("not measured: {reason}"))
    }
}

impl From<&NotMeasured> for Finding {
    fn from(n: &NotMeasured) -> Finding {
        Finding::not_measured(&n.0)
    }
}

/// What a check's judge reads: the whole spec, the check, and the facts.
pub struct Cx<'a> {
    pub spec: &'a Spec,
    pub check: &'a CheckSpec,
    pub facts: &'a Facts,
}

impl<'a> Cx<'a> {
    /// The check's probe result: `Ok(None)` when no probe ran for it, `Err` with the finding
    /// when the probe could not measure.
    pub fn probe<T: ProbeKind>(&self) -> Result<Option<&'a T>, Finding> {
        match self.facts.probe::<T>(&self.check.id) {
            None => Ok(None),
            Some(Ok(p)) => Ok(Some(p)),
            Some(Err(n)) => Err(n.into()),
        }
    }
}

/// Judges every check of the spec against the facts, in spec order.
pub fn evaluate(spec: &Spec, facts: &Facts) -> Vec<Verdict> {
    spec.checks.iter().map(|c| verdict(spec, c, facts)).collect()
}

fn verdict(spec: &Spec, check: &CheckSpec, facts: &Facts) -> Verdict {
    let finding = judge(&Cx { spec, check, facts });
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

#[cfg(test)]
pub(crate) mod fixtures {
    //! Facts built by hand for the check unit tests.
    use std::collections::BTreeMap;

    /// A targets check with no targets, a 10 MB budget, probed with GET / on port 8080.
    pub fn targets_spec() -> workbook::spec::TargetsCheck {
        workbook::spec::TargetsCheck {
            targets: vec![],
            max_mb: 10.0,
            port: 8080,
            path: "/".into(),
            status: None,
            identity: None,
            env: Default::default(),
            bases: Default::default(),
        }
    }

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
            probes: BTreeMap::new(),
            probe_time: BTreeMap::new(),
            bases: Vec::new(),
            engine_version: "test".into(),
            run_id: "test".into(),
            context_paths: vec![],
            context_ignore: Default::default(),
            context_canary: None,
            originals: None,
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
