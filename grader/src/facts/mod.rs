//! Facts: everything measured once per grading run, as plain data, then handed to the (pure)
//! checks. `gather` fills them (the only code that drives the engine for them); nothing here
//! does I/O or judges.

pub mod build;
pub mod image;
pub mod probes;

use std::collections::BTreeMap;

use crate::facts::build::BuildOutcome;
use crate::facts::image::ImageFacts;

pub use probes::{CacheProbe, SmokeResult, StopResult, TargetProbe, TargetRun};

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
    pub build: BuildOutcome,
    /// The built image; `None` when the build failed.
    pub image: Option<ImageFacts>,
    /// Cache probes by check id.
    pub cache: BTreeMap<String, CacheProbe>,
    /// Smoke runs by check id.
    pub smoke: BTreeMap<String, SmokeResult>,
    /// The pristine starter's content size, when a relative budget needs it.
    pub starter_size: Option<Result<u64, String>>,
    /// Target probes by check id.
    pub target: BTreeMap<String, TargetProbe>,
    /// Stop probes by check id.
    pub stop: BTreeMap<String, StopResult>,
    /// Target shootouts by check id.
    pub targets: BTreeMap<String, Vec<TargetRun>>,
    /// The engine's version and the builder used, for the report.
    pub engine_version: String,
    pub run_id: String,
}
