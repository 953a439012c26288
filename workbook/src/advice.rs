//! Errors whose message is complete advice for the user ("Docker is not running: start
//! Docker Desktop..."): printed as they are, without an error chain, and mapped to exit 2.

/// An error whose message is complete advice for the user (no error chain needed).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Advice {
    pub message: String,
}

/// An error carrying advice for the user.
pub fn advice(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Advice { message: message.into() })
}
