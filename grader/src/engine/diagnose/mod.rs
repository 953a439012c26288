//! Diagnosis of a failed build from what the engine said: a base image that is missing and
//! could not be pulled, a failure of the network or of the engine rather than of the Dockerfile
//! ([`network`]), a cancelled step, BuildKit unable to read an uploaded context. Pure functions
//! of the recorded steps and the final message; `engine::build` and the recorder call them.
//! Before any build, [`connection`] says why the engine could not be reached.

pub mod connection;
pub mod network;

use crate::facts::build::{Infrastructure, Step};
use crate::image_ref::short;

/// BuildKit could not fetch the context the grader uploaded: before Docker 27.5, the containerd
/// image store serves the uploaded body (`http://build-context-<id>`) to the graph-driver worker
/// only (moby/moby#47717), so the lookup fails ("no such host", or a proxy's 403).
pub fn is_uploaded_context_unreadable(message: &str) -> bool {
    message.contains("failed to read downloaded context")
}

pub fn is_cancellation(e: &str) -> bool {
    e.contains("context canceled") || e == "canceled"
}

/// Recognises "this base image is not here and could not be pulled".
pub fn missing_base(steps: &[Step], failed: Option<usize>, message: &str) -> Option<String> {
    if is_uploaded_context_unreadable(message) {
        return None;
    }
    let lower = message.to_lowercase();
    let pull_trouble = [
        "pull access denied",
        "failed to resolve source metadata",
        "failed to do request",
        "no such host",
        "manifest unknown",
        "not found: manifest",
        "repository does not exist",
        "dial tcp",
        "i/o timeout",
        "connection refused",
        "tls handshake timeout",
    ]
    .iter()
    .any(|p| lower.contains(p));
    if !pull_trouble {
        return None;
    }
    // BuildKit's final message names the image it could not resolve: "golang:0.0-x: failed to
    // resolve source metadata for docker.io/library/golang:0.0-x: failed to do request: ...".
    // Trust it before the steps: the metadata steps of the other images run in parallel and,
    // with the containerd image store, fail too ("context canceled", or the registry's own
    // "no such host" for an image that is present locally), in any order.
    if let Some(image) =
        message.split("failed to resolve source metadata for ").nth(1).and_then(|r| r.split(": ").next())
    {
        return Some(short(image).to_string());
    }
    // BuildKit: "[internal] load metadata for docker.io/library/golang:1-trixie", or for the
    // frontend a `# syntax=` directive names: "resolve image config for docker.io/docker/dockerfile:1".
    let errored = |s: &&Step| s.error.as_deref().is_some_and(|e| !is_cancellation(e));
    if let Some(image) = steps.iter().filter(errored).find_map(|s| {
        s.name
            .strip_prefix("[internal] load metadata for ")
            .or_else(|| s.name.strip_prefix("resolve image config for "))
    }) {
        return Some(short(image).to_string());
    }
    // Classic: the failing step is the FROM.
    if let Some(step) = failed.and_then(|i| steps.get(i)) {
        if let Some(p) = step.parsed() {
            if let Some(image) = p.instruction.strip_prefix("FROM ") {
                return Some(image.split_whitespace().next().unwrap_or(image).to_string());
            }
        }
    }
    // The message itself often names the image: "... for golang:1-trixie ...".
    message
        .split_whitespace()
        .map(|w| w.trim_matches(['"', ',']))
        // `context:` or `dockerfile.v0:` is a label in the message, not an image reference.
        .find(|w| w.contains(':') && !w.ends_with(':') && !w.contains("//"))
        .map(str::to_string)
}

/// Whether a failure is not the Dockerfile's: the engine's connection broke (`engine_gone`), or
/// the failed step (or the final message) shows a host the network could not reach. A missing
/// base and BuildKit's unreadable upload read like network failures ("no such host") but each
/// has its own advice, so neither is one here.
pub fn infrastructure(
    steps: &[Step],
    failed: Option<usize>,
    message: &str,
    engine_gone: bool,
    missing_base: bool,
) -> Option<Infrastructure> {
    if engine_gone {
        return Some(Infrastructure::EngineGone(message.to_string()));
    }
    if missing_base || is_uploaded_context_unreadable(message) {
        return None;
    }
    let output = failed.map(|i| format!("{}\n{}", steps[i].log_tail, steps[i].error.as_deref().unwrap_or("")));
    let output = format!("{}\n{message}", output.unwrap_or_default());
    // Seen when dockerd lost docker0 to another daemon: the classic builder's RUN containers
    // cannot be attached to the bridge. The same phrases as a smoke run's (engine::run).
    const ENGINE_NETWORK: [&str; 3] =
        ["could not find bridge", "failed to create endpoint", "no such network interface"];
    if let Some(line) = output.lines().find(|l| ENGINE_NETWORK.iter().any(|p| l.to_lowercase().contains(p))) {
        return Some(Infrastructure::EngineNetwork(line.trim().to_string()));
    }
    network::unreachable_host(&output).map(Infrastructure::Network)
}

/// The advice for a build that failed because `image` is missing locally and could not be
/// pulled (`message` is the engine's): where to get it. Exit 2: not the learner's failure.
pub fn missing_base_advice(image: &str, message: &str) -> anyhow::Error {
    crate::error::advice(format!(
        "the base image {image} is not available: it is not in the local image store and could not be pulled \
         ({}).\nPull it with `docker pull {image}` when a registry is reachable, or build the offline \
         stand-ins with `kit/build.sh`.",
        message.lines().last().unwrap_or("")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str) -> Step {
        Step { name: name.into(), ..Step::default() }
    }

    #[test]
    fn a_lost_bridge_under_a_run_step_is_the_engines() {
        let mut s = step("[3/4] RUN go mod download");
        s.error = Some("failed to create endpoint x on network bridge: could not find bridge docker0: route ip+net: no such network interface".into());
        let found = infrastructure(&[s], Some(0), "exit status 1", false, false);
        assert!(matches!(found, Some(Infrastructure::EngineNetwork(m)) if m.contains("could not find bridge docker0")));
    }

    #[test]
    fn missing_base_is_named_from_the_metadata_step() {
        let mut s = step("[internal] load metadata for docker.io/library/golang:1-trixie");
        s.error = Some("failed to do request: no such host".into());
        let msg = "failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head https://registry-1.docker.io/v2/library/golang/manifests/1.27-trixie: dial tcp: lookup registry-1.docker.io: no such host";
        assert_eq!(missing_base(&[s], None, msg).as_deref(), Some("golang:1-trixie"));
    }

    #[test]
    fn an_unreadable_uploaded_context_is_not_a_missing_base() {
        // dockerd 26.1.5, containerd image store, BuildKit, context uploaded as the request body.
        let msg = "failed to read downloaded context: failed to load cache key: Get \"http://build-context-yw4pkx44qgbo52vniadin1xi1\": dial tcp: lookup build-context-yw4pkx44qgbo52vniadin1xi1 on 10.255.255.53:53: no such host";
        let mut s = step("[internal] load remote build context");
        s.error = Some(msg.into());
        assert_eq!(missing_base(&[s], Some(0), msg), None);
        assert!(is_uploaded_context_unreadable(msg));
        assert!(is_uploaded_context_unreadable(
            "failed to read downloaded context: failed to load cache key: invalid response status 403"
        ));
    }

    #[test]
    fn the_missing_base_is_the_one_the_message_names_not_a_cancelled_sibling() {
        // dockerd 28.5, containerd image store: the present image's metadata step was reported
        // first, with an error of its own.
        let msg = "golang:0.0-nonexistent: failed to resolve source metadata for docker.io/library/golang:0.0-nonexistent: failed to do request: Head \"https://registry-1.docker.io/v2/library/golang/manifests/0.0-nonexistent\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host";
        let mut present = step("[internal] load metadata for gcr.io/distroless/static-debian13:nonroot");
        present.error = Some("context canceled".into());
        let mut missing = step("[internal] load metadata for docker.io/library/golang:0.0-nonexistent");
        missing.error = Some("failed to do request: no such host".into());
        assert_eq!(
            missing_base(&[present.clone(), missing.clone()], None, msg).as_deref(),
            Some("golang:0.0-nonexistent")
        );
        present.error = Some("failed to do request: Head \"https://gcr.io/v2/distroless/static-debian13/manifests/nonroot\": dial tcp: lookup gcr.io: no such host".into());
        assert_eq!(missing_base(&[present, missing], None, msg).as_deref(), Some("golang:0.0-nonexistent"));
    }

    #[test]
    fn an_unreachable_syntax_frontend_is_named() {
        // dockerd 20.10, offline, `# syntax=docker/dockerfile:1`.
        let msg = "failed to solve with frontend dockerfile.v0: failed to solve with frontend gateway.v0: failed to do request: Head \"https://registry-1.docker.io/v2/docker/dockerfile/manifests/1\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host";
        let mut s = step("resolve image config for docker.io/docker/dockerfile:1");
        s.error = Some(msg.into());
        assert_eq!(missing_base(&[s], Some(0), msg).as_deref(), Some("docker/dockerfile:1"));
        // Without that step, the message's `dockerfile.v0:` is not taken for an image.
        assert_eq!(missing_base(&[], None, msg), None);
    }

    #[test]
    fn a_failing_run_is_not_a_missing_base() {
        assert_eq!(missing_base(&[], None, "executor failed running [/bin/sh -c make]: exit code: 2"), None);
    }

    #[test]
    fn a_base_that_cannot_be_pulled_is_a_missing_base_and_a_run_that_cannot_reach_the_network_is_not() {
        // dockerd 20.10, no registry: the metadata step of a base that is not in the store.
        let msg = "failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to resolve source metadata for docker.io/library/golang:0.0-nonexistent: failed to do request: Head \"https://registry-1.docker.io/v2/library/golang/manifests/0.0-nonexistent\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host";
        let mut meta = step("[internal] load metadata for docker.io/library/golang:0.0-nonexistent");
        meta.error = Some(msg.into());
        let steps = [meta];
        let base = missing_base(&steps, Some(0), msg);
        assert_eq!(base.as_deref(), Some("golang:0.0-nonexistent"));
        assert_eq!(infrastructure(&steps, Some(0), msg, false, base.is_some()), None);
        // A RUN that cannot reach its registry stays a network failure.
        let mut run = step("[build 4/6] RUN go mod download");
        run.log_tail =
            "go: example.com/x: dial tcp: lookup proxy.golang.org on 10.255.255.53:53: no such host\n".into();
        run.error = Some("exit code: 1".into());
        let msg = "process \"/bin/sh -c go mod download\" did not complete successfully: exit code: 1";
        let steps = [run];
        let base = missing_base(&steps, Some(0), msg);
        assert_eq!(base, None);
        assert_eq!(
            infrastructure(&steps, Some(0), msg, false, base.is_some()),
            Some(Infrastructure::Network("proxy.golang.org".into()))
        );
    }
}
