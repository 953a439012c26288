//! What a command's run comes to, and the process exit code it maps to: 0 every check passed,
//! 1 a check failed, 2 the grader could not do its job (an error; see `error.rs`).

use std::process::ExitCode;

/// The result of a whole command, before it becomes a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every check passed (or the command had nothing to judge).
    Pass,
    /// At least one check failed: the learner's work needs more.
    Fail,
    /// The grader could not do its job, and has said why (in its reports and on stderr).
    CouldNotGrade,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Pass => ExitCode::SUCCESS,
            Outcome::Fail => ExitCode::from(1),
            Outcome::CouldNotGrade => ExitCode::from(COULD_NOT_GRADE),
        }
    }
}

/// Exit code for "the grader could not do its job".
pub const COULD_NOT_GRADE: u8 = 2;
