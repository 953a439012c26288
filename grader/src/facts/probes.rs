//! What the probes measured, by kind: the cache probe's rebuilds, the smoke run, the stop
//! probe, the target probe's two builds, the targets shootout. Plain data; `gather` fills it,
//! the checks judge it.

use crate::facts::build::BuildOutcome;

/// The two probe builds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CacheProbe {
    /// The rebuild after editing the source file.
    pub after_source_edit: Option<BuildOutcome>,
    /// The rebuild after editing the manifest.
    pub after_manifest_edit: Option<BuildOutcome>,
    /// Why a probe could not run (e.g. the file to edit does not exist).
    pub error: Option<String>,
    /// The engine missed its own cache before anything the source edit touched, so the
    /// unedited Dockerfile was built once more and the source probe run again.
    pub rebuilt_unedited: bool,
}

/// What the smoke run saw.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SmokeResult {
    pub passed: bool,
    /// One sentence: what was expected and what happened.
    pub summary: String,
    /// The container's last log lines, when they help explain a failure.
    pub logs: String,
    pub elapsed_ms: u128,
}

/// What the stop probe saw.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StopResult {
    /// Milliseconds from SIGTERM to exit, when it exited within the observation window.
    pub exited_after_ms: Option<u128>,
    pub exit_code: Option<i64>,
    /// Why the probe could not signal the container (it did not start, or exited early).
    pub problem: Option<String>,
}

/// The two builds of a target probe.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TargetProbe {
    pub as_is: BuildOutcome,
    pub planted: BuildOutcome,
}

/// One target's measurements.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TargetRun {
    pub target: String,
    /// The build's error, when it failed (nothing else is measured then).
    pub failure: Option<String>,
    pub size: u64,
    pub layers: usize,
    pub packages: usize,
    pub shell: bool,
    pub user: String,
    pub smoke: Option<SmokeResult>,
}
