//! What the probes measured, by check: the starter's size, the cache probe's rebuilds, the
//! smoke run, the stop probe, the target probe's two builds, the targets shootout. Plain data
//! with one shape for "could not measure" ([`NotMeasured`]); `gather` fills it, the checks
//! judge it (a smoke run records what the container did, not whether that passes).

use serde::Serialize;

use crate::facts::build::BuildOutcome;

/// Why a probe could not measure (the file it edits is missing, the container exited before it
/// was signalled, the starter did not build): a sentence that completes "not measured: ...".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotMeasured(pub String);

/// A probe's result: what it measured, or why it could not.
pub type Measured<T = Probe> = Result<T, NotMeasured>;

/// What one check's probe measured.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Probe {
    /// The pristine starter's content size in bytes, for a relative size budget.
    StarterSize(u64),
    Cache(CacheProbe),
    Smoke(SmokeRun),
    Stop(StopRun),
    Target(TargetProbe),
    Targets(Vec<TargetRun>),
}

/// A probe result of one kind, read out of [`Probe`].
pub trait ProbeKind: Sized {
    fn of(probe: &Probe) -> Option<&Self>;
}

macro_rules! probe_kinds {
    ($($variant:ident($t:ty)),*) => {
        $(impl ProbeKind for $t {
            fn of(probe: &Probe) -> Option<&Self> {
                match probe {
                    Probe::$variant(x) => Some(x),
                    _ => None,
                }
            }
        })*
    };
}
probe_kinds!(
    StarterSize(u64),
    Cache(CacheProbe),
    Smoke(SmokeRun),
    Stop(StopRun),
    Target(TargetProbe),
    Targets(Vec<TargetRun>)
);

/// The cache probe's two rebuilds.
#[derive(Debug, Clone, Serialize)]
pub struct CacheProbe {
    /// The rebuild after editing the source file.
    pub after_source_edit: BuildOutcome,
    /// The rebuild after editing the manifest.
    pub after_manifest_edit: BuildOutcome,
    /// The engine missed its own cache before anything the source edit touched, so the
    /// unedited Dockerfile was built once more and the source probe run again.
    pub rebuilt_unedited: bool,
}

/// What a smoke run saw: what the container did, its last log lines and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmokeRun {
    pub seen: Seen,
    /// The container's last log lines (empty when it never started).
    pub logs: String,
    pub elapsed_ms: u128,
}

/// What the container did during a smoke run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seen {
    /// The engine could not create or start it: the engine's message.
    NotStarted(String),
    /// HTTP: no host port was published, and the container had exited with this code.
    ExitedUnpublished(i64),
    /// HTTP: no host port was published though the container runs.
    Unpublished,
    /// HTTP: it exited before it gave the wanted answer.
    ExitedEarly { code: i64, oom_killed: bool },
    /// HTTP: the answer the probe waited for came (`body_has_text`: true when no text is wanted),
    /// and, when the spec has one, what the identity request then got.
    Answered { status: u16, body_has_text: bool, identity: Option<IdentityAnswer> },
    /// HTTP: no wanted answer within the time limit; the last attempt.
    NoGoodAnswer(Attempt),
    /// Run to completion: its exit code, and whether its output held the wanted text (when one
    /// is wanted).
    Exited { code: i64, output_has_text: Option<bool> },
    /// Run to completion: still running at the time limit.
    StillRunning,
}

/// The last HTTP attempt of a smoke run that got no wanted answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attempt {
    /// An answer: its status, and whether the body held the wanted text (true when none is).
    Status { status: u16, body_has_text: bool },
    /// No HTTP answer: why (connection refused, timed out, not HTTP).
    Error(String),
}

/// What the smoke run's identity request asked, with the run's nonce in it, and what came back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityAnswer {
    /// The request line as sent, e.g. `GET /hello?name=482913057716`.
    pub request: String,
    /// The request's body, when it had one.
    pub body: Option<String>,
    /// The environment variable whose value signed the body (`[check.identity.sign]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_with: Option<String>,
    /// What the same request signed with another key got (`forged_status`), sent first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forged: Option<Attempt>,
    /// The text the answer's body had to contain (the nonce in it).
    pub wanted: String,
    /// What came back: a status and whether the body held `wanted`, or why nothing did.
    pub answer: Attempt,
    /// The start of the answer's body (one line, at most 120 characters), for the report.
    pub excerpt: String,
    /// The follow-up request's answer, when the spec has one and this answer was the wanted one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub then: Option<Box<IdentityAnswer>>,
}

/// What the stop probe saw after it sent the stop signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopRun {
    /// The signal sent (`SIGTERM`, or the image's `STOPSIGNAL`, as `docker stop` does).
    pub signal: String,
    /// The image's `STOPSIGNAL` as written, when it sets one.
    pub stop_signal: Option<String>,
    /// Milliseconds from the signal to exit, when it exited while watched.
    pub exited_after_ms: Option<u128>,
    pub exit_code: Option<i64>,
    /// How long the probe watched after the signal, in seconds.
    pub watched_s: u64,
}

/// A signal as `docker stop` reads `STOPSIGNAL`: a name with or without `SIG`, or a number.
pub fn signal_name(s: &str) -> String {
    const NUMBERED: [(&str, &str); 6] =
        [("1", "SIGHUP"), ("2", "SIGINT"), ("3", "SIGQUIT"), ("9", "SIGKILL"), ("10", "SIGUSR1"), ("15", "SIGTERM")];
    let upper = s.trim().to_ascii_uppercase();
    if let Some((_, name)) = NUMBERED.iter().find(|(n, _)| *n == upper) {
        return name.to_string();
    }
    if upper.starts_with("SIG") || upper.chars().all(|c| c.is_ascii_digit()) {
        upper
    } else {
        format!("SIG{upper}")
    }
}

/// The three builds of a target probe.
#[derive(Debug, Clone, Serialize)]
pub struct TargetProbe {
    pub as_is: BuildOutcome,
    /// With a new passing test planted (it must still build).
    pub with_passing: BuildOutcome,
    /// With the passing test and a new failing test planted (it must fail).
    pub with_failing: BuildOutcome,
    /// The planted tests' names, new on each run.
    pub passing_test: String,
    pub failing_test: String,
}

/// One target's measurements in the targets shootout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRun {
    pub target: String,
    /// The build's error, when it failed (nothing else is measured then).
    pub failure: Option<String>,
    pub size: u64,
    pub layers: usize,
    pub packages: usize,
    pub shell: bool,
    pub user: String,
    pub smoke: Option<SmokeRun>,
}
