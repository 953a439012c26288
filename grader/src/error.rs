//! The grader's own error types, for the errors callers match on. Library code returns
//! `anyhow::Error` with context; an [`Advice`] is an error whose message already tells the user
//! what to do next, and [`Interrupted`] is Ctrl-C. Every error is exit 2 (see `exit.rs`).

pub use workbook::{advice, Advice};

/// The user pressed Ctrl-C (or SIGTERM/SIGHUP came); what the run had created was removed.
#[derive(Debug, thiserror::Error)]
#[error("interrupted; the grader removed what it had created")]
pub struct Interrupted;
