//! Containers the grader runs from a built image: under limits, labelled, always removed.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{Context, Result};
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig, PortBinding, ResourcesUlimits};
use bollard::query_parameters::{CreateContainerOptionsBuilder, KillContainerOptionsBuilder, LogsOptionsBuilder};
use futures_util::StreamExt;

use super::Engine;

/// The CPU limit of every container the grader runs (one CPU, in billionths).
pub const CPUS_NANO: i64 = 1_000_000_000;
/// How long the engine may take to create and start a container.
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// The open-files limit of every container the grader runs.
pub const NOFILE: i64 = 4096;

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
    /// Leave the root filesystem writable (by default read-only, with a tmpfs on /tmp).
    pub writable_root: bool,
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
    /// Creates and starts a hardened container: memory, process, CPU, open-file and log limits,
    /// every capability dropped, no privilege escalation, a read-only root (tmpfs /tmp), no
    /// network for a command probe. The container is registered for cleanup as soon as it
    /// exists. The inner error is the container's own failure to start
    /// (a missing executable, a bad user), which is the learner's result; the outer error is the
    /// engine's (the connection broke, its bridge network is gone), which is never theirs.
    pub async fn start(&self, req: &RunRequest, purpose: &str) -> Result<std::result::Result<Running, String>> {
        let Ok(started) = tokio::time::timeout(START_TIMEOUT, self.start_container(req, purpose)).await else {
            return Err(crate::error::advice(format!(
                "could not grade: the Docker engine at {} did not start a container within {} s. This is not \
                 your Dockerfile's fault: check the engine (`docker run --rm hello-world`), then grade again.",
                self.address,
                START_TIMEOUT.as_secs()
            )));
        };
        match started {
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
                Some(vec![PortBinding {
                    host_ip: Some(self.endpoint.publish_ip().into()),
                    host_port: Some(String::new()),
                }]),
            );
        }
        let memory = i64::try_from(req.memory_mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX);
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
                // One CPU: a fork bomb held at the pids limit still pushed a 2-core host's load
                // to 32 without it.
                nano_cpus: Some(CPUS_NANO),
                readonly_rootfs: Some(!req.writable_root),
                tmpfs: (!req.writable_root)
                    .then(|| HashMap::from([("/tmp".to_string(), "rw,nosuid,nodev,size=64m".to_string())])),
                // A stdout flood wrote ~955 MB of container log to the engine's disk in 20 s.
                log_config: Some(HostConfigLogConfig {
                    typ: Some("json-file".into()),
                    config: Some(HashMap::from([
                        ("max-size".to_string(), "1m".to_string()),
                        ("max-file".to_string(), "1".to_string()),
                    ])),
                }),
                // Open files bounded. Not nproc: RLIMIT_NPROC counts every process of the uid on
                // the whole host (root's included), so it would fail containers for what runs
                // outside them; the pids limit bounds the container's own processes.
                ulimits: Some(vec![ResourcesUlimits {
                    name: Some("nofile".into()),
                    soft: Some(NOFILE),
                    hard: Some(NOFILE),
                }]),
                // A command probe needs no network at all; an HTTP probe only its published port.
                network_mode: port_key.is_none().then(|| "none".to_string()),
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
        let inspect = tokio::time::timeout(Duration::from_secs(30), self.docker.inspect_container(id, None));
        let info = inspect
            .await
            .map_err(|_| anyhow::anyhow!("the engine did not answer within 30 s"))
            .and_then(|r| r.map_err(anyhow::Error::from))
            .context("inspecting a grader container")?;
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
        // Bounded in time and size: a container's lines can be megabytes long.
        let _ = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(Ok(chunk)) = stream.next().await {
                out.push_str(&chunk.to_string());
                if out.len() > 64 * 1024 {
                    break;
                }
            }
        })
        .await;
        out
    }
}

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

/// The engine's own message, without bollard's wrapping.
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

#[cfg(test)]
mod engine_tests {
    use super::*;

    /// Against the real engine (CI has one): the limits are on the container as inspected.
    #[tokio::test]
    async fn a_grader_container_is_limited_as_inspected_and_a_command_probe_has_no_network() {
        let engine = Engine::connect().await.expect("the tests need a Docker engine");
        let req = RunRequest {
            image: "debian:trixie-slim".into(),
            cmd: Some(vec!["sleep".into(), "30".into()]),
            env: BTreeMap::new(),
            port: None,
            memory_mb: 64,
            pids: 32,
            writable_root: false,
        };
        let running = engine.start(&req, "limits-test").await.unwrap().unwrap();
        let info = engine.docker.inspect_container(&running.id, None).await.unwrap();
        engine.cleanup().await;
        let hc = info.host_config.unwrap();
        assert_eq!(hc.network_mode.as_deref(), Some("none"));
        assert_eq!(hc.nano_cpus, Some(CPUS_NANO));
        assert_eq!(hc.readonly_rootfs, Some(true));
        assert!(hc.tmpfs.unwrap_or_default().contains_key("/tmp"));
        assert_eq!(hc.memory, Some(64 << 20));
        assert_eq!(hc.pids_limit, Some(32));
        assert_eq!(hc.cap_drop, Some(vec!["ALL".to_string()]));
        assert_eq!(hc.security_opt, Some(vec!["no-new-privileges".to_string()]));
        let log = hc.log_config.unwrap();
        assert_eq!(log.typ.as_deref(), Some("json-file"));
        assert_eq!(log.config.unwrap().get("max-size").map(String::as_str), Some("1m"));
        let nofile = hc.ulimits.unwrap().into_iter().find(|u| u.name.as_deref() == Some("nofile")).unwrap();
        assert_eq!((nofile.soft, nofile.hard), (Some(NOFILE), Some(NOFILE)));
        let network = info.network_settings.unwrap();
        assert!(network.ports.unwrap_or_default().is_empty());
    }

    fn shell(script: &str, memory_mb: u64, pids: i64) -> RunRequest {
        RunRequest {
            image: "debian:trixie-slim".into(),
            cmd: Some(vec!["sh".into(), "-c".into(), script.into()]),
            env: BTreeMap::new(),
            port: None,
            memory_mb,
            pids,
            writable_root: false,
        }
    }

    /// Against the real engine: a container that tries to write outside /tmp, to fill /tmp, and
    /// to raise its open-files limit gets nowhere.
    #[tokio::test]
    async fn a_hostile_container_cannot_write_its_root_fill_its_tmp_or_raise_its_open_files() {
        let engine = Engine::connect().await.expect("the tests need a Docker engine");
        let script = "touch /etc/owned 2>/dev/null && echo ROOT-WRITTEN; \
                      touch /owned 2>/dev/null && echo ROOT-WRITTEN; \
                      dd if=/dev/zero of=/tmp/fill bs=1M count=512 2>/dev/null; \
                      echo tmp-holds=$(du -m /tmp/fill | cut -f1)MB; \
                      (ulimit -n 1048576 2>/dev/null && echo NOFILE-RAISED); \
                      echo nofile=$(ulimit -Hn)";
        let running = engine.start(&shell(script, 256, 64), "hostile-fs").await.unwrap().unwrap();
        let exited = engine.wait_exit(&running.id, Duration::from_secs(60)).await.unwrap();
        let logs = engine.logs_tail(&running.id, 20).await;
        engine.cleanup().await;
        assert!(exited.is_some(), "the script did not finish: {logs}");
        assert!(!logs.contains("ROOT-WRITTEN"), "the read-only root was written: {logs}");
        let held: u64 = logs.split("tmp-holds=").nth(1).and_then(|r| r.split("MB").next()).unwrap().parse().unwrap();
        assert!(held <= 64, "/tmp took {held} MB past its 64 MB tmpfs: {logs}");
        assert!(!logs.contains("NOFILE-RAISED"), "the open-files limit was raised: {logs}");
        let nofile: i64 = logs.split("nofile=").nth(1).unwrap().trim().parse().unwrap();
        assert_eq!(nofile, NOFILE, "{logs}");
    }

    /// Against the real engine: a container that forks without end, spins four CPUs and floods its output is held to one CPU, its
    /// process limit and a 1 MB log, and is removed with everything else. The host's load is
    /// printed (it depends on what else runs; the CPU the container gets is what the limit
    /// promises and is asserted).
    #[tokio::test]
    async fn a_container_forking_spinning_and_flooding_is_held_to_one_cpu_its_pids_and_a_1_mb_log() {
        let engine = Engine::connect().await.expect("the tests need a Docker engine");
        let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let before = load();
        // Four busy loops want four CPUs; the flood writes as fast as it can; the last loop
        // forks sleepers until the process limit stops it (the shell gives up on a failed fork;
        // its sleepers stay).
        let script = "for i in 1 2 3 4; do (while :; do :; done) & done; \
                      (while :; do echo flood-flood-flood-flood-flood-flood-flood-flood; done) & \
                      (while :; do sleep 60 & done) 2>/dev/null & wait";
        let running = engine.start(&shell(script, 128, 64), "hostile-cpu").await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_secs(6)).await;
        let stats = || async {
            let opts = bollard::query_parameters::StatsOptionsBuilder::default().stream(false).one_shot(true).build();
            let s = engine.docker.stats(&running.id, Some(opts)).next().await.unwrap().unwrap();
            let cpu = s.cpu_stats.and_then(|c| c.cpu_usage).and_then(|u| u.total_usage).unwrap_or(0);
            (std::time::Instant::now(), cpu, s.pids_stats.and_then(|p| p.current).unwrap_or(0))
        };
        let (t0, cpu0, _) = stats().await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        let (t1, cpu1, pids) = stats().await;
        let log_path = engine.docker.inspect_container(&running.id, None).await.unwrap().log_path.unwrap_or_default();
        let log_bytes = std::fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
        let after = load();
        let logs = engine.logs_tail(&running.id, 5).await;
        engine.cleanup().await;
        let gone = engine.docker.inspect_container(&running.id, None).await.is_err();
        let cpus = (cpu1 - cpu0) as f64 / (t1 - t0).as_nanos() as f64;
        eprintln!(
            "forks + spins + flood: {cpus:.2} CPUs, {pids} processes, log {log_bytes} B; host load before: {}, after: {}",
            before.trim(),
            after.trim()
        );
        assert!(cpus <= 1.15, "the container used {cpus:.2} CPUs, over its limit of one");
        assert!(pids <= 64, "{pids} processes, over the limit of 64");
        assert!(pids >= 48, "only {pids} processes: the fork loop did not run, so the limit was not tested: {logs}");
        // The engine's log file (readable when the engine runs on this host, as in CI).
        if !log_path.is_empty() && std::path::Path::new(&log_path).exists() {
            assert!(log_bytes <= 1_100_000, "the container's log grew to {log_bytes} B, past its 1 MB cap");
        }
        assert!(gone, "the container outlived the cleanup");
    }
}
