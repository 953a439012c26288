//! Facts: everything measured once per grading run, as plain data, then handed to the (pure)
//! checks. `gather` fills them (the only code that drives the engine for them); nothing here
//! does I/O or judges.

pub mod build;
pub mod image;
pub mod probes;

use std::collections::BTreeMap;

use crate::facts::build::BuildOutcome;
use crate::facts::image::{BaseImage, ImageFacts};

pub use probes::{
    Attempt, CacheProbe, IdentityAnswer, Measured, NotMeasured, Probe, ProbeKind, Seen, SmokeRun, StopRun, TargetProbe,
    TargetRun,
};

/// Everything the checks may read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Facts {
    /// The Dockerfile's path as the learner sees it (for `file:line` messages).
    pub dockerfile_path: String,
    /// The parsed Dockerfile, or the parser's error (the engine stays the judge of validity).
    #[serde(skip)]
    pub dockerfile: Result<dockerfile::Dockerfile, String>,
    /// The context as sent: files and bytes after `.dockerignore`.
    pub context_files: usize,
    pub context_bytes: u64,
    /// Every regular file sent, with its size.
    #[serde(skip)]
    pub context_paths: Vec<(String, u64)>,
    /// The ignore rules the context was packed with.
    #[serde(skip)]
    pub context_ignore: crate::dockerignore::Dockerignore,
    /// The canary search of the files the context sends, when a `context` check asks for it
    /// (`canary_in` holds `context`).
    #[serde(skip)]
    pub context_canary: Option<crate::context::ContextCanary>,
    /// The files an `absent` check's `copies_of` read from another image, when one asks.
    #[serde(skip)]
    pub originals: Option<crate::facts::image::Originals>,
    pub build: BuildOutcome,
    /// The built image; `None` when the build failed.
    pub image: Option<ImageFacts>,
    /// What each check's probe measured, by check id (checks without a probe have none).
    pub probes: BTreeMap<String, Measured>,
    /// How long each check's probe took, by check id (for the reports' per-check times).
    #[serde(skip)]
    pub probe_time: BTreeMap<String, std::time::Duration>,
    /// The base images the Dockerfile builds from, with the version inside.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<BaseImage>,
    /// The engine's version and the builder used, for the report.
    pub engine_version: String,
    pub run_id: String,
}

impl Facts {
    /// What the probe of check `id` measured: `None` when no probe ran for it (or it measured
    /// something of another kind), else the result or why it could not measure.
    pub fn probe<T: ProbeKind>(&self, id: &str) -> Option<Result<&T, &NotMeasured>> {
        match self.probes.get(id)? {
            Ok(p) => T::of(p).map(Ok),
            Err(e) => Some(Err(e)),
        }
    }
}
