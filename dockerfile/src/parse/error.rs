//! The one error `parse` returns: a line number and what was expected there.

use serde::Serialize;

/// Why a Dockerfile was rejected, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// 1-based line of the offending instruction (its first line when it spans several).
    pub line: usize,
    /// What is wrong and what was expected, without the line number.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        ParseError { line, message: message.into() }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}
