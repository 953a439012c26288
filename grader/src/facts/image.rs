//! The record of a built image: its config, history, layers and final filesystem (each path
//! with the layer that added it), as measured from `docker save` by [`crate::image`]. Plain
//! data; the checks read it.

use std::collections::BTreeMap;

use serde::Serialize;

/// What kind of filesystem entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Other,
}

/// One path of the final filesystem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileEntry {
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    /// Index into [`ImageFacts::layers`] of the layer that added it.
    pub layer: usize,
}

/// One layer of the image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layer {
    /// Bytes of regular-file content in the layer (what it adds to the image).
    pub content_bytes: u64,
    pub entries: usize,
    /// The history entry that made it (`RUN /bin/sh -c go build ...`, `COPY . . # buildkit`).
    pub created_by: String,
}

/// The image config's parts the checks read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImageConfig {
    pub user: String,
    pub exposed_ports: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub workdir: String,
    /// `STOPSIGNAL` as recorded (`SIGINT`, `2`, ...); empty when the image sets none.
    pub stop_signal: String,
}

/// A history entry of the image config.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub created_by: String,
    pub empty_layer: bool,
}

/// Everything measured about a built image.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageFacts {
    pub id: String,
    /// The engine's own size figure (`docker image inspect .Size`); engines disagree on it.
    pub engine_size: u64,
    /// The uncompressed content of all layers (regular-file bytes, files later deleted
    /// included, since they still ship): the engine-independent size the grader judges.
    pub content_size: u64,
    pub config: ImageConfig,
    pub history: Vec<HistoryEntry>,
    pub layers: Vec<Layer>,
    /// The final filesystem, absolute paths.
    #[serde(skip)]
    pub files: BTreeMap<String, FileEntry>,
    /// Contents of /etc/passwd and /etc/group in the final filesystem, if present.
    #[serde(skip)]
    pub captured: BTreeMap<String, String>,
    /// Files whose content holds the canary (in any encoding the search knows), in any layer.
    pub canary_hits: Vec<CanaryHit>,
    /// Files, in any layer, that are copies of an `absent` check's originals (`copies_of`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<CopyHit>,
    /// Where the image config holds the canary (an ENV, a LABEL, a history entry).
    pub canary_in_config: Vec<ConfigHit>,
    /// Files whose canary search a bound cut short (bytes decompressed, containers nested):
    /// `/path (layer N): what was not searched`.
    pub canary_limits: Vec<String>,
    /// The image config as exported (JSON).
    #[serde(skip)]
    pub config_json: String,
}

/// The files an `absent` check's `copies_of` reads from another image, to find their copies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Originals {
    /// The image they were read from.
    pub image: String,
    pub files: Vec<Original>,
    /// Paths the image lacks (or that are not regular files, or too large): not compared.
    pub missing: Vec<String>,
}

/// One file read from that image: its path there (as the spec names it), size and SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct Original {
    pub path: String,
    pub size: u64,
    pub sha256: [u8; 32],
}

/// A file of some layer whose content is that of an original (same size and SHA-256).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyHit {
    /// Absolute path in the layer.
    pub path: String,
    /// Index of the layer (0 is the base image's first).
    pub layer: usize,
    /// The original's path in the other image.
    pub original: String,
}

/// A file of some layer that holds the planted secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanaryHit {
    /// Absolute path in the layer.
    pub path: String,
    /// Index of the layer (0 is the base image's first).
    pub layer: usize,
    /// How it was written: `as is`, `base64-encoded`, `hex-encoded in gzip-compressed data`...
    pub how: String,
}

/// A part of the image config that holds the planted secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigHit {
    /// `ENV WEBHOOK_SECRET`, `LABEL token`, or the history entry (`RUN |1 TOKEN=... /bin/sh -c ...`)
    /// of the instruction that recorded it (a build argument, a command line).
    pub place: String,
    /// How it was written (`as is`, `base64-encoded`, `hex-encoded`).
    pub how: String,
}

impl ImageFacts {
    /// The final filesystem's copy of a captured file (`/etc/passwd`).
    pub fn file_text(&self, abs_path: &str) -> Option<&str> {
        self.captured.get(abs_path).map(String::as_str)
    }

    /// Debian packages recorded as installed (dpkg `status`, or distroless' `status.d/`).
    pub fn package_count(&self) -> usize {
        let installed = |text: &str| {
            text.split("\n\n")
                .filter(|p| p.lines().any(|l| l.starts_with("Status:") && l.ends_with(" installed")))
                .count()
        };
        let status = self.file_text("/var/lib/dpkg/status").map(installed).unwrap_or(0);
        let distroless = self
            .captured
            .iter()
            .filter(|(p, _)| p.starts_with("/var/lib/dpkg/status.d/") && !p.ends_with(".md5sums"))
            .count();
        status + distroless
    }

    /// Whether a shell is in the image (`/bin/sh` directly or through the usr-merge link).
    pub fn has_shell(&self) -> bool {
        ["/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/busybox", "/usr/bin/busybox"]
            .iter()
            .any(|p| self.files.contains_key(*p))
    }
}

/// A base image the build used, as the report shows it: the tag names a release line
/// (`golang:1-trixie`), so the version inside is shown beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseImage {
    pub image: String,
    /// The toolchain version inside (`Go 1.27.4`), from the image's own environment (as the
    /// official images set it) or the kit's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A local stand-in built by the offline kit, not the official image.
    pub stand_in: bool,
}
