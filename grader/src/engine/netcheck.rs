//! Checks a build step's claim that the network failed, from the engine's side, before the
//! grader calls the failure the network's: a step's output is the learner's to write, and a
//! step that prints "Temporary failure in name resolution" and exits 1 must not turn a failed
//! build into "could not grade".
//!
//! The check is one small container on the same engine and the same default bridge network as
//! the build's RUN steps, from an image of the offline kit (a Debian with bash and getent), with
//! no proxy settings, as the build's steps have none: what it reaches, they could reach. It
//! tries the host the step named (TCP to 443, then 80); when the step named none, a few package
//! registries. It never looks at what a server answers, so a TLS-intercepting proxy in the path
//! changes nothing, and on a machine without a network every name fails fast and the claim holds.

use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::CreateContainerOptionsBuilder;

use super::Engine;

/// Images the check may run in, first present wins: every one of them is the kit's Debian (or
/// built on it), with bash, `timeout` and `getent`.
const IMAGES: &[&str] =
    &["debian:trixie-slim", "golang:1-trixie", "node:20-trixie-slim", "python:3.13-slim-trixie", "rust:1-slim-trixie"];

/// Hosts tried when the step's output names none: the registries the kit's images install from.
const REGISTRIES: &[&str] = &["deb.debian.org", "registry.npmjs.org", "pypi.org"];

/// The whole check (create, start, wait, read) is given this long; each connection or lookup
/// inside it 3 s, so the script itself needs at most 3 × 3 + 3 + 3 × 3 s = 21 s.
const CHECK_TIMEOUT: Duration = Duration::from_secs(45);

/// The script, run as `bash -c SCRIPT check HOST PORT REGISTRY...` (PORT may be empty). It prints one line and exits 0
/// when something answered, 3 when the claim holds, 4 when the named host is not a name at all
/// while the DNS resolves the registries.
const SCRIPT: &str = r#"
h="$1"; port="$2"; shift 2
up() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }
reach() { for p in $port 443 80; do if up "$1" "$p"; then echo "$1 port $p answers"; return 0; fi; done; return 1; }
known() { timeout 3 getent ahosts "$1" >/dev/null 2>&1; }
if [ -n "$h" ]; then
  reach "$h" && exit 0
  if known "$h"; then echo "$h resolves but answers on none of the ports ${port:+$port, }443, 80"; exit 3; fi
  for c in "$@"; do
    if known "$c"; then echo "$h is a name the DNS does not know, while $c resolves"; exit 4; fi
  done
  echo "no name resolves, $h included"; exit 3
fi
for c in "$@"; do reach "$c" && exit 0; done
echo "none of $* answers"; exit 3
"#;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetCheck {
    /// The network works from the engine: the step's failure is its own (what answered, or why
    /// the named host is the step's mistake).
    Works(String),
    /// The network claim holds (what failed).
    Down(String),
    /// The check could not run (why): the claim is believed, as before the check existed.
    NotChecked(String),
}

impl Engine {
    /// Whether `host` (on `port`, the step's, when its output names one; else 443 or 80) or,
    /// when `host` is empty, one of the usual package registries can be reached from a
    /// container on this engine. Bounded by [`CHECK_TIMEOUT`]; the container is removed on
    /// every path.
    pub async fn check_network(&self, host: &str, port: Option<u16>) -> NetCheck {
        let host = host.trim_matches(['[', ']']);
        // The host comes from the step's output: only name and address characters reach the
        // script, and as an argument, never as code.
        if !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')) {
            return NetCheck::NotChecked(format!("the host `{host}` is not a plain name"));
        }
        let mut image = None;
        for candidate in IMAGES {
            if self.has_image(candidate).await {
                image = Some(*candidate);
                break;
            }
        }
        let Some(image) = image else {
            return NetCheck::NotChecked(format!("none of the kit's images ({}) is in the engine", IMAGES.join(", ")));
        };
        let mut cmd = vec!["bash".to_string(), "-c".into(), SCRIPT.into(), "check".into(), host.to_string()];
        cmd.push(port.map(|p| p.to_string()).unwrap_or_default());
        cmd.extend(REGISTRIES.iter().map(|r| r.to_string()));
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            cmd: Some(cmd),
            entrypoint: Some(vec![]),
            user: Some("65534:65534".into()),
            labels: Some(self.labels()),
            host_config: Some(HostConfig {
                memory: Some(64 << 20),
                memory_swap: Some(64 << 20),
                pids_limit: Some(32),
                nano_cpus: Some(super::run::CPUS_NANO / 2),
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges".into()]),
                readonly_rootfs: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        // Two builds of one run may check at once (probe builds run side by side).
        static CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("grader-{}-netcheck-{n}", self.run_id);
        let created = std::sync::Mutex::new(None::<String>);
        // One bound for the whole check. A container created after it expired carries the
        // run's label, and the run's cleanup removes it.
        let checked = tokio::time::timeout(CHECK_TIMEOUT, async {
            let opts = CreateContainerOptionsBuilder::default().name(&name).build();
            let id = match self.docker.create_container(Some(opts), body).await {
                Ok(c) => c.id,
                Err(e) => return NetCheck::NotChecked(format!("the check's container was not created: {e}")),
            };
            self.register_container(&id);
            *created.lock().unwrap() = Some(id.clone());
            self.run_check(&id).await
        })
        .await;
        let created = created.lock().unwrap().take();
        if let Some(id) = created {
            self.remove_container(&id).await;
        }
        checked.unwrap_or_else(|_| {
            NetCheck::NotChecked(format!("the check did not finish in {} s", CHECK_TIMEOUT.as_secs()))
        })
    }

    async fn run_check(&self, id: &str) -> NetCheck {
        if let Err(e) = self.docker.start_container(id, None).await {
            return NetCheck::NotChecked(format!("the check's container did not start: {e}"));
        }
        let code = match self.wait_exit(id, CHECK_TIMEOUT).await {
            Ok(Some(code)) => code,
            Ok(None) => {
                return NetCheck::NotChecked(format!("the check did not finish in {} s", CHECK_TIMEOUT.as_secs()))
            }
            Err(e) => return NetCheck::NotChecked(format!("{e:#}")),
        };
        let said = self.logs_tail(id, 1).await.trim().to_string();
        match code {
            0 | 4 => NetCheck::Works(said),
            3 => NetCheck::Down(said),
            other => NetCheck::NotChecked(format!("the check exited {other}: {said}")),
        }
    }
}
