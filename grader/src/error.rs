//! The grader's own error types, for the errors callers match on. Library code returns
//! `anyhow::Error` with context; an [`Advice`] is an error whose message already tells the user
//! what to do next, and [`Interrupted`] is Ctrl-C. Every error is exit 2 (see `exit.rs`).

pub use workbook::{advice, Advice};

/// The user pressed Ctrl-C (or SIGTERM/SIGHUP came); what the run had created was removed.
#[derive(Debug, thiserror::Error)]
#[error("interrupted; the grader removed what it had created")]
pub struct Interrupted;

/// The error as the terminal shows it: advice as it is, anything else with its chain of causes
/// (each cause on its own line). Reports carry the same text.
pub fn describe(e: &anyhow::Error) -> String {
    if let Some(advice) = e.downcast_ref::<Advice>() {
        return advice.to_string();
    }
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        if let Some(advice) = cause.downcast_ref::<Advice>() {
            out.push_str(&format!("\n  {advice}"));
            break;
        }
        out.push_str(&format!("\n  caused by: {cause}"));
    }
    out
}
