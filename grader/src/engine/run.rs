//! Containers the grader runs from a built image: under limits, labelled, always removed.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{Context, Result};
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{CreateContainerOptionsBuilder, KillContainerOptionsBuilder, LogsOptionsBuilder};
use futures_util::StreamExt;

use super::Engine;

/// How to run a container.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub image: String,
    /// Replaces the image's CMD when set.
    pub cmd: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    /// A container port to publish on 127.0.0.1 (an ephemeral host port).
    pub port: Option<u16>,
    pub memory_mb: u64,
    pub pids: i64,
}

/// A started container.
#[derive(Debug, Clone)]
pub struct Running {
    pub id: String,
    /// The host port the container port was published on.
    pub host_port: Option<u16>,
}

/// A container's state as the engine reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub running: bool,
    pub exit_code: Option<i64>,
    pub oom_killed: bool,
}

impl Engine {
    /// Creates and starts a hardened container: memory and process limits, every capability
    /// dropped, no privilege escalation. A start failure (bad user, missing binary) is an `Err`
    /// whose text is the engine's message, for the check to report. The container is registered
    /// for cleanup as soon as it exists.
    /// Creates and starts a container. The inner error is the container's own failure to start
    /// (a missing executable, a bad user), which is the learner's result; the outer error is the
    /// engine's (the connection broke, its bridge network is gone), which is never theirs.
    pub async fn start(&self, req: &RunRequest, purpose: &str) -> Result<std::result::Result<Running, String>> {
        match self.start_container(req, purpose).await {
            Ok(r) => Ok(Ok(r)),
            Err(e) => match engine_trouble(&e) {
                Some(why) => Err(crate::error::advice(format!(
                    "could not grade: the Docker engine at {} could not run the image ({why}). This is not your \
                     Dockerfile's fault: check the engine (`docker run --rm hello-world` or `grader doctor`), then \
                     grade again.",
                    self.address
                ))),
                None => Ok(Err(engine_message(e))),
            },
        }
    }

    async fn start_container(
        &self,
        req: &RunRequest,
        purpose: &str,
    ) -> std::result::Result<Running, bollard::errors::Error> {
        let port_key = req.port.map(|p| format!("{p}/tcp"));
        let mut bindings = HashMap::new();
        if let Some(k) = &port_key {
            bindings.insert(
                k.clone(),
                Some(vec![PortBinding { host_ip: Some("127.0.0.1".into()), host_port: Some(String::new()) }]),
            );
        }
        let memory = (req.memory_mb * 1024 * 1024) as i64;
        let body = ContainerCreateBody {
            image: Some(req.image.clone()),
            cmd: req.cmd.clone(),
            env: Some(req.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            exposed_ports: port_key.clone().map(|k| vec![k]),
            labels: Some(self.labels()),
            host_config: Some(HostConfig {
                memory: Some(memory),
                memory_swap: Some(memory),
                pids_limit: Some(req.pids),
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges".into()]),
                port_bindings: Some(bindings),
                ..Default::default()
            }),
            ..Default::default()
        };
        let name = format!("grader-{}-{purpose}", self.run_id);
        let opts = CreateContainerOptionsBuilder::default().name(&name).build();
        let created = self.docker.create_container(Some(opts), body).await?;
        self.register_container(&created.id);
        self.docker.start_container(&created.id, None).await?;
        let mut host_port = None;
        if let Some(k) = &port_key {
            let info = self.docker.inspect_container(&created.id, None).await?;
            host_port = info
                .network_settings
                .and_then(|n| n.ports)
                .and_then(|p| p.get(k).cloned().flatten())
                .and_then(|b| b.into_iter().find_map(|b| b.host_port?.parse().ok()));
        }
        Ok(Running { id: created.id, host_port })
    }

    pub async fn state(&self, id: &str) -> Result<State> {
        let info = self.docker.inspect_container(id, None).await.context("inspecting a grader container")?;
        let s = info.state.unwrap_or_default();
        Ok(State {
            running: s.running.unwrap_or(false),
            exit_code: if s.running.unwrap_or(false) { None } else { s.exit_code },
            oom_killed: s.oom_killed.unwrap_or(false),
        })
    }

    /// Waits for the container to exit, up to `timeout`; its exit code, or `None` on timeout.
    pub async fn wait_exit(&self, id: &str, timeout: Duration) -> Result<Option<i64>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let s = self.state(id).await?;
            if !s.running {
                return Ok(s.exit_code);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends a signal (e.g. `SIGTERM`) to the container's PID 1.
    pub async fn signal(&self, id: &str, signal: &str) -> Result<()> {
        let opts = KillContainerOptionsBuilder::default().signal(signal).build();
        self.docker.kill_container(id, Some(opts)).await.context("signalling a grader container")
    }

    /// The last `lines` lines of the container's stdout and stderr.
    pub async fn logs_tail(&self, id: &str, lines: usize) -> String {
        let opts = LogsOptionsBuilder::default().stdout(true).stderr(true).tail(&lines.to_string()).build();
        let mut stream = self.docker.logs(id, Some(opts));
        let mut out = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            out.push_str(&chunk.to_string());
        }
        out
    }
}

/// The engine's own message, without bollard's wrapping.
/// When a failed container start is the engine's trouble rather than the image's: a broken
/// connection, or the engine's own networking gone (seen when dockerd lost `docker0` to another
/// daemon: "could not find bridge docker0"). The reason, for the message.
fn engine_trouble(e: &bollard::errors::Error) -> Option<String> {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => {
            const NETWORK: [&str; 5] = [
                "could not find bridge",
                "failed to create endpoint",
                "driver failed programming external connectivity",
                "no such network",
                "failed to set up container networking",
            ];
            let lower = message.to_lowercase();
            NETWORK.iter().any(|n| lower.contains(n)).then(|| message.clone())
        }
        bollard::errors::Error::JsonDataError { .. } | bollard::errors::Error::JsonSerdeError { .. } => None,
        other => Some(other.to_string()),
    }
}

fn engine_message(e: bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::engine_trouble;
    use bollard::errors::Error;

    fn server(message: &str) -> Error {
        Error::DockerResponseServerError { status_code: 500, message: message.into() }
    }

    #[test]
    fn a_lost_bridge_or_a_broken_connection_is_the_engines_trouble() {
        assert!(
            engine_trouble(&server("could not find bridge docker0: route ip+net: no such network interface")).is_some()
        );
        assert!(engine_trouble(&server(
            "failed to create endpoint grader-x on network bridge: failed to add the host"
        ))
        .is_some());
        assert!(engine_trouble(&Error::RequestTimeoutError).is_some());
    }

    #[test]
    fn an_image_that_cannot_start_is_the_images_result() {
        let oci = "OCI runtime create failed: runc create failed: unable to start container process: exec: \"greeter\": executable file not found in $PATH: unknown";
        assert_eq!(engine_trouble(&server(oci)), None);
        assert_eq!(engine_trouble(&server("unable to find user app: no matching entries in passwd file")), None);
    }
}
