//! `ssh://` engines the way the docker CLI reaches them (docker/cli `cli/connhelper`): every
//! connection is an `ssh [-l user] [-p port] -o ConnectTimeout=30 -T -- host docker system
//! dial-stdio` child whose stdin and stdout carry the HTTP connection. The user's ssh client,
//! `~/.ssh/config`, agent and known hosts apply unchanged. Idle connections are kept (for 30 s),
//! unlike the other transports: each new one is an ssh login.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::task::{Context, Poll};

use bollard::Docker;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout};

use super::SshHost;

/// The ssh command failed before the engine said anything: what it printed on stderr
/// (`Permission denied (publickey)`, `Host key verification failed`, `docker: command not found`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SshFailed(pub String);

/// No `ssh` program to run.
#[derive(Debug, thiserror::Error)]
#[error("cannot run `ssh`: {0}")]
pub struct NoSshClient(pub io::Error);

pub(super) fn client(host: &SshHost, timeout: u64) -> Result<Docker, bollard::errors::Error> {
    let connector = DialStdio { args: Arc::new(arguments(host)) };
    let client =
        Client::builder(TokioExecutor::new()).pool_idle_timeout(std::time::Duration::from_secs(30)).build(connector);
    let transport = move |request: bollard::BollardRequest| {
        let client = client.clone();
        async move { client.request(request).await.map_err(bollard::errors::Error::from) }
    };
    // The URL's host is only a name for HTTP: every connection goes through the ssh child.
    Docker::connect_with_custom_transport(
        transport,
        Some("http://docker.example.com"),
        timeout,
        bollard::API_DEFAULT_VERSION,
    )
}

/// The ssh arguments, as docker/cli `connhelper/ssh.Spec.Command` builds them.
pub fn arguments(host: &SshHost) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(user) = &host.user {
        args.extend(["-l".to_string(), user.clone()]);
    }
    if let Some(port) = host.port {
        args.extend(["-p".to_string(), port.to_string()]);
    }
    args.extend(["-o".into(), "ConnectTimeout=30".into(), "-T".into(), "--".into(), host.host.clone()]);
    // One string for the remote shell; the socket path is quoted for it.
    let remote = match &host.socket {
        Some(socket) => format!("docker {} system dial-stdio", shell_quote(&format!("--host=unix://{socket}"))),
        None => "docker system dial-stdio".to_string(),
    };
    args.push(remote);
    args
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[derive(Clone)]
struct DialStdio {
    args: Arc<Vec<String>>,
}

impl tower_service::Service<hyper::Uri> for DialStdio {
    type Response = TokioIo<SshStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        let args = self.args.clone();
        Box::pin(async move {
            let mut child = tokio::process::Command::new("ssh")
                .args(args.iter())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| io::Error::new(e.kind(), NoSshClient(e)))?;
            let stdin = child.stdin.take().expect("piped");
            let stdout = child.stdout.take().expect("piped");
            let stderr = child.stderr.take().expect("piped");
            Ok(TokioIo::new(SshStream {
                _child: child,
                stdin,
                stdout,
                stderr,
                stderr_text: Vec::new(),
                stderr_done: false,
                read_any: false,
            }))
        })
    }
}

/// One connection: the child's stdout is what the engine says, its stdin what we say.
pub struct SshStream {
    /// Killed when the connection is dropped.
    _child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: ChildStderr,
    /// The first 4 KiB of what ssh (or the remote command) printed on stderr.
    stderr_text: Vec<u8>,
    stderr_done: bool,
    /// Whether the engine said anything: an end before that is a failure of ssh.
    read_any: bool,
}

impl SshStream {
    /// Reads what stderr has without waiting (so its pipe never fills up).
    fn drain_stderr(&mut self, cx: &mut Context<'_>) {
        while !self.stderr_done {
            let mut chunk = [0u8; 1024];
            let mut buf = ReadBuf::new(&mut chunk);
            match Pin::new(&mut self.stderr).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => self.stderr_done = true,
                Poll::Ready(Ok(())) => {
                    let room = 4096usize.saturating_sub(self.stderr_text.len());
                    self.stderr_text.extend(buf.filled().iter().take(room));
                }
                Poll::Ready(Err(_)) => self.stderr_done = true,
                Poll::Pending => break,
            }
        }
    }
}

impl Connection for SshStream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for SshStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.drain_stderr(cx);
        let before = buf.filled().len();
        match Pin::new(&mut this.stdout).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() == before && buf.remaining() > 0 && !this.read_any => {
                // The command ended before the engine said anything: wait for all of its
                // stderr, which says why.
                if !this.stderr_done {
                    return Poll::Pending;
                }
                let text = String::from_utf8_lossy(&this.stderr_text).trim().to_string();
                if text.is_empty() {
                    Poll::Ready(Ok(()))
                } else {
                    Poll::Ready(Err(io::Error::new(io::ErrorKind::ConnectionAborted, SshFailed(text))))
                }
            }
            Poll::Ready(Ok(())) => {
                this.read_any |= buf.filled().len() > before;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl AsyncWrite for SshStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stdin).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssh_command_is_the_docker_clis() {
        let host = SshHost { user: Some("me".into()), host: "build".into(), port: Some(2222), socket: None };
        assert_eq!(
            arguments(&host).join(" "),
            "-l me -p 2222 -o ConnectTimeout=30 -T -- build docker system dial-stdio"
        );
        let host = SshHost { user: None, host: "b".into(), port: None, socket: Some("/run/it's.sock".into()) };
        assert_eq!(arguments(&host).last().unwrap(), r"docker '--host=unix:///run/it'\''s.sock' system dial-stdio");
    }
}
