//! Reaching an engine: an [`EngineAddress`] (resolved like the docker CLI, see [`address`])
//! becomes a bollard client. Unix sockets and plain TCP use bollard's own transports; TLS
//! (verified or not, with or without a client certificate) and ssh use a hyper client of ours
//! behind bollard's custom transport, because bollard's TLS client cannot skip verification
//! (`SkipTLSVerify`, `DOCKER_TLS`) and drops an unreadable client key silently, and its `ssh`
//! feature is not the docker CLI's `ssh … docker system dial-stdio` (it needs a ControlMaster
//! per connection and ignores `ssh://…/socket`).
//!
//! `connect` makes no request: [`crate::engine::Engine::connect_to`] asks the engine for its
//! version, and [`crate::engine::diagnose::connection`] turns a failure into advice.

pub mod address;
mod ssh;
mod tls;

use bollard::Docker;

pub use address::{Endpoint, EngineAddress, Source, SshHost, Tls};
pub use ssh::{NoSshClient, SshFailed};

/// Builds may run for many minutes; a request must not time out under them.
const REQUEST_TIMEOUT_S: u64 = 3600;

/// Why a client could not even be made (before any request).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no socket at {0}")]
    NoSocket(String),
    /// A TLS file that cannot be read or used: its path and what is wrong.
    #[error("{path}: {problem}")]
    TlsMaterial { path: String, problem: String },
    #[error(transparent)]
    Bollard(#[from] bollard::errors::Error),
}

/// A bollard client for the engine at `address`. No request is made.
pub fn connect(address: &EngineAddress) -> Result<Docker, ConnectError> {
    let version = bollard::API_DEFAULT_VERSION;
    match (&address.endpoint, &address.tls) {
        (Endpoint::Unix(path), _) => {
            if !path.exists() {
                return Err(ConnectError::NoSocket(path.display().to_string()));
            }
            Ok(Docker::connect_with_unix(&path.to_string_lossy(), REQUEST_TIMEOUT_S, version)?)
        }
        (Endpoint::Tcp(authority), None) => {
            Ok(Docker::connect_with_http(&format!("tcp://{authority}"), REQUEST_TIMEOUT_S, version)?)
        }
        (Endpoint::Tcp(authority), Some(material)) => tls::client(authority, material, REQUEST_TIMEOUT_S),
        (Endpoint::Ssh(host), _) => Ok(ssh::client(host, REQUEST_TIMEOUT_S)?),
    }
}

/// When a TLS engine could not be reached: the error one handshake and request made by hand
/// give, which names the TLS alert where hyper may not (see [`tls::probe`]).
pub async fn tls_probe(address: &EngineAddress) -> Option<std::io::Error> {
    match (&address.endpoint, &address.tls) {
        (Endpoint::Tcp(authority), Some(material)) => tls::probe(authority, material).await,
        _ => None,
    }
}

/// How long to wait for the engine's first answer: an ssh login takes longer than a socket.
pub fn first_answer_timeout(address: &EngineAddress) -> std::time::Duration {
    match address.endpoint {
        // The docker CLI gives ssh 30 s to connect (`-o ConnectTimeout=30`).
        Endpoint::Ssh(_) => std::time::Duration::from_secs(40),
        _ => std::time::Duration::from_secs(10),
    }
}
