//! The Docker engine, through bollard: connection ([`connect`]), builds, image export, containers. I/O only:
//! it returns records (`facts`), never verdicts.
//!
//! Everything the grader creates in the engine (images, containers) carries the label
//! `dev.grader.run=<run id>` and is recorded in `Cleanup`, which removes it on every path.
//! The build cache is shared with the user and is never pruned.

pub mod batched;
pub mod build;
pub mod connect;
pub mod diagnose;
pub mod export;
pub mod netcheck;
pub mod originals;
pub mod progress;
pub mod run;
pub mod sweep;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use bollard::Docker;

use crate::error::advice;
pub use connect::EngineAddress;
use diagnose::connection::{self, Cause};

/// The label on everything the grader creates; its value is the run id.
pub const RUN_LABEL: &str = "dev.grader.run";
/// Which process created it, `<pid>@<host>`: `grader clean` tells a dead run from a live one.
///
/// Its key sorts after [`RUN_LABEL`]'s on purpose: the classic builder adds a build's labels as
/// `LABEL` steps in key order, so the first of them is the run's own, and every image after it
/// holds this run's content (removed with the run). Graders before 2026-12 used
/// [`OWNER_LABEL_BEFORE`], which sorted first.
pub const OWNER_LABEL: &str = "dev.grader.run.owner";
/// The owner label's key before 2026-12, still read from leftovers.
pub const OWNER_LABEL_BEFORE: &str = "dev.grader.owner";

/// A connected engine plus the registry of what this run created.
#[derive(Clone)]
pub struct Engine {
    pub docker: Docker,
    /// Where the engine was reached, for messages (`endpoint` as a URL).
    pub address: String,
    /// The engine's address and how it is reached (TLS, context), as resolved.
    pub endpoint: EngineAddress,
    /// Unique per grader run (64 random bits): in tags, container names and the run label.
    pub run_id: String,
    /// The engine's version string, e.g. `20.10.24+dfsg1`.
    pub version: String,
    cleanup: Arc<Mutex<Cleanup>>,
    /// Set once BuildKit could not read an uploaded context (moby/moby#47717): the rest of the
    /// run builds with the classic builder.
    pub(crate) buildkit_cannot_read_upload: Arc<std::sync::atomic::AtomicBool>,
    /// The engine keeps its images in containerd (`docker info` DriverStatus driver-type
    /// io.containerd.snapshotter.v1): Docker Desktop 4.34+ and Docker 29 on fresh installs.
    pub containerd_store: bool,
    /// When a build was last stopped where the engine may still finish it and tag its image
    /// (on its last step): the cleanup waits for that.
    may_still_finish_since: Arc<Mutex<Option<std::time::Instant>>>,
}

/// What this run created and must remove.
#[derive(Debug, Default)]
struct Cleanup {
    images: Vec<String>,
    containers: Vec<String>,
    /// Untagged images the classic builder committed that hold this run's own content (see
    /// [`Engine::register_intermediates`]), oldest first.
    intermediates: Vec<String>,
}

impl Engine {
    /// Connects like the docker CLI: `DOCKER_HOST` (with its TLS variables), else the current
    /// docker context (`DOCKER_CONTEXT` or `currentContext` in config.json), else the default
    /// socket. Fails with advice (exit 2) naming the address and the cause when no engine answers.
    pub async fn connect() -> Result<Engine> {
        Engine::connect_to(EngineAddress::from_environment()?).await
    }

    /// Connects to the engine `address` names (a host or a docker context, as `grader class
    /// --engine` takes them), with a run id of its own: two `Engine`s never share what they
    /// clean up.
    pub async fn connect_at(address: &str) -> Result<Engine> {
        Engine::connect_to(EngineAddress::parse(address)?).await
    }

    /// Connects to the engine at `endpoint` and asks for its version and image store.
    pub async fn connect_to(endpoint: EngineAddress) -> Result<Engine> {
        let unreachable = |cause: Cause| advice(connection::advice(&endpoint, &cause));
        let docker = connect::connect(&endpoint).map_err(|e| unreachable(connection::cause(&e)))?;
        let wait = connect::first_answer_timeout(&endpoint);
        // A TLS failure hyper reports without its reason is asked again by hand.
        let at = &endpoint;
        let failed = |e: bollard::errors::Error| async move {
            let cause = match connection::cause(&e) {
                Cause::Other(said) => match connect::tls_probe(at).await.map(|e| connection::cause(&e)) {
                    Some(c) if !matches!(c, Cause::Other(_)) => c,
                    _ => Cause::Other(said),
                },
                c => c,
            };
            advice(connection::advice(at, &cause))
        };
        let docker = match tokio::time::timeout(wait, docker.negotiate_version()).await {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => return Err(failed(e).await),
            Err(_) => return Err(unreachable(Cause::NoAnswer(wait))),
        };
        // One question for the version and the image store (negotiating asked /version already).
        let (version, containerd_store) = match tokio::time::timeout(wait, docker.info()).await {
            Ok(Ok(info)) => (
                info.server_version.unwrap_or_else(|| "unknown".into()),
                info.driver_status.unwrap_or_default().iter().any(|kv| {
                    kv.first().map(String::as_str) == Some("driver-type")
                        && kv.get(1).map(String::as_str) == Some("io.containerd.snapshotter.v1")
                }),
            ),
            Ok(Err(e)) => return Err(failed(e).await),
            Err(_) => return Err(unreachable(Cause::NoAnswer(wait))),
        };
        Ok(Engine {
            docker,
            address: endpoint.to_string(),
            endpoint,
            run_id: new_run_id(),
            version,
            cleanup: Default::default(),
            buildkit_cannot_read_upload: Default::default(),
            containerd_store,
            may_still_finish_since: Default::default(),
        })
    }

    /// Another run on the same connection: a run id and a cleanup registry of its own (so
    /// what one grading creates is never removed or read by another), and what was learnt about
    /// the engine (BuildKit cannot read an upload) shared. `grader class` gives each grading one.
    pub fn new_run(&self) -> Engine {
        Engine {
            run_id: new_run_id(),
            cleanup: Default::default(),
            may_still_finish_since: Default::default(),
            ..self.clone()
        }
    }

    /// The labels on everything this run creates: the run id and the process that owns it.
    pub fn labels(&self) -> std::collections::HashMap<String, String> {
        [(RUN_LABEL.to_string(), self.run_id.clone()), (OWNER_LABEL.to_string(), sweep::this_process())].into()
    }

    /// A tag for an image this run builds, e.g. `grader/ex1:3f9a2c-main`.
    pub fn tag(&self, exercise: &str, purpose: &str) -> String {
        let repo = tag_safe(exercise).trim_matches('-').to_string();
        format!("grader/{}:{}-{}", if repo.is_empty() { "exercise" } else { &repo }, self.run_id, tag_safe(purpose))
    }

    pub fn register_image(&self, tag: &str) {
        self.cleanup.lock().unwrap().images.push(tag.to_string());
    }

    /// Images the classic builder committed for one build that no other build can reuse: every
    /// step of a probe built from edited files, and the `LABEL` steps the builder appends for
    /// the run's labels (their values are this run's). The rest of a classic build's images
    /// stay, untagged, as its cache, as after a `docker build`: the next grading reuses them.
    pub fn register_intermediates(&self, ids: impl IntoIterator<Item = String>) {
        self.cleanup.lock().unwrap().intermediates.extend(ids);
    }

    pub fn register_container(&self, id: &str) {
        self.cleanup.lock().unwrap().containers.push(id.to_string());
    }

    /// Removes a container now (and forgets it), ignoring "no such container".
    pub async fn remove_container(&self, id: &str) {
        let opts = bollard::query_parameters::RemoveContainerOptionsBuilder::default().force(true).v(true).build();
        let _ = self.docker.remove_container(id, Some(opts)).await;
        self.cleanup.lock().unwrap().containers.retain(|c| c != id);
    }

    /// Removes an image this run built (and forgets it). Its untagged parents stay: with the
    /// classic builder they are the build's cache (the next grading reuses them; the ones that
    /// hold this run's own content are removed by [`Engine::cleanup`]), and the containerd image
    /// store links no parent to its children, so pruning there would also delete cache images
    /// other runs were built from. Shared base images and the build cache stay.
    pub async fn remove_image(&self, tag: &str) {
        let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default().force(true).noprune(true).build();
        let _ = self.docker.remove_image(tag, Some(opts), None).await;
        self.cleanup.lock().unwrap().images.retain(|i| i != tag);
    }

    /// Removes everything this run created. Safe to call more than once.
    pub async fn cleanup(&self) {
        let (containers, images, intermediates) = {
            let mut c = self.cleanup.lock().unwrap();
            (std::mem::take(&mut c.containers), std::mem::take(&mut c.images), std::mem::take(&mut c.intermediates))
        };
        for id in containers {
            self.remove_container(&id).await;
        }
        for tag in images {
            self.remove_image(&tag).await;
        }
        self.remove_intermediates(intermediates).await;
        // Containers a build left behind (the classic builder on failure) carry no label we set,
        // so also sweep anything labelled with this run.
        let mut filters = std::collections::HashMap::new();
        filters.insert("label".to_string(), vec![format!("{RUN_LABEL}={}", self.run_id)]);
        let opts =
            bollard::query_parameters::ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        if let Ok(list) = self.docker.list_containers(Some(opts)).await {
            for c in list.into_iter().filter_map(|c| c.id) {
                self.remove_container(&c).await;
            }
        }
        // Images the engine tagged after the grader removed the tag: a probe build stopped while
        // every step was a cache hit went on in the engine, finished and tagged its image a
        // moment later (4 of 4 ex2 starter gradings leaked one). Probes now stop only once the
        // engine does work it is cancelled in (`Recorder::uncached_work`). After a stop on what
        // may be the build's last step, the run's label is swept again once the engine has had
        // 1.5 s since that stop to finish.
        self.sweep_own_images().await;
        let stopped = *self.may_still_finish_since.lock().unwrap();
        if let Some(at) = stopped {
            tokio::time::sleep(Duration::from_millis(1500).saturating_sub(at.elapsed())).await;
            self.sweep_own_images().await;
        }
    }

    /// Removes the classic builder's images of this run's own content, children before parents.
    /// Forced past a stopped container, never past a child image: the engine refuses that even
    /// when forced, so a `LABEL` image another build has since built on stays. An image a
    /// running container still uses (a probe's cancelled RUN step, which the engine stops a
    /// moment after the grader hangs up) is tried again every 100 ms, for up to 3 s, with the
    /// parents that were refused because of it.
    async fn remove_intermediates(&self, ids: Vec<String>) {
        let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default().force(true).noprune(true).build();
        let mut pending: Vec<&String> = ids.iter().rev().collect();
        let until = std::time::Instant::now() + Duration::from_secs(3);
        loop {
            let (mut refused, mut in_use) = (Vec::new(), false);
            for id in pending {
                if let Err(bollard::errors::Error::DockerResponseServerError { status_code: 409, message }) =
                    self.docker.remove_image(id, Some(opts.clone()), None).await
                {
                    if std::env::var_os("GRADER_DEBUG").is_some() {
                        eprintln!("cleanup: image {id} not removed yet: {message}");
                    }
                    in_use |= message.contains("running container");
                    refused.push(id);
                }
            }
            if !in_use || std::time::Instant::now() >= until {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            pending = refused;
        }
    }

    /// Notes that a build was stopped where the engine may still finish it (see `cleanup`).
    pub(crate) fn stopped_a_build(&self, at: std::time::Instant) {
        *self.may_still_finish_since.lock().unwrap() = Some(at);
    }

    /// Removes the images labelled with this run.
    async fn sweep_own_images(&self) {
        for image in self.labelled_images(&format!("{RUN_LABEL}={}", self.run_id)).await {
            self.remove_leftover_image(&image).await;
        }
    }

    /// Whether an image (by name) exists locally.
    pub async fn has_image(&self, name: &str) -> bool {
        self.docker.inspect_image(name).await.is_ok()
    }
}

/// A name made fit for an image reference: lower-case letters and digits, anything else a `-`
/// (repository names and tags allow few characters).
pub fn tag_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// 64 random bits: unique across processes and hosts sharing an engine (a run's cleanup
/// removes by this id, so two runs must never share one).
fn new_run_id() -> String {
    format!("{:016x}", u64::from_le_bytes(crate::random::bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn run_ids_are_64_random_bits() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| super::new_run_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit())));
    }
}
