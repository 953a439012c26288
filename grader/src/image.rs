//! The pure `docker save` reader: a stream of the export tar in, [`ImageFacts`] out, never
//! unpacked to disk. No engine here: `engine::export` feeds it the engine's stream.
//!
//! Both export layouts are read: the legacy one (`<id>/layer.tar`, `manifest.json`) of the
//! classic image store, and the OCI layout (`blobs/sha256/...`, `index.json`, layers possibly
//! gzip-compressed) of the containerd image store (Docker Desktop 4.30+, Docker 29). From the
//! layers the final filesystem is composed (whiteouts and opaque directories applied), and every
//! path keeps the index of the layer that last added it.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};

use anyhow::{anyhow, bail, Context, Result};
use sha2::Digest;

use crate::canary::Canary;
use crate::facts::image::{
    CanaryHit, ConfigHit, CopyHit, EntryKind, FileEntry, HistoryEntry, ImageConfig, ImageFacts, Layer, Original,
};

/// Files whose content the scan keeps (the final copy wins): users, and the package databases
/// (Debian's `status`, and distroless' one-file-per-package `status.d/`).
const CAPTURED: [&str; 3] = ["etc/passwd", "etc/group", "var/lib/dpkg/status"];
const CAPTURED_DIRS: [&str; 1] = ["var/lib/dpkg/status.d/"];
const CAPTURED_MAX: u64 = 16 << 20;

/// JSON blobs (manifests, configs) are kept in memory up to this size.
const SMALL_BLOB: u64 = 8 << 20;

/// One layer tar, summarised.
#[derive(Debug, Default, Clone)]
struct LayerScan {
    /// Absolute paths (`/usr/bin/go`), as the final filesystem keys them.
    entries: Vec<(String, FileEntry)>,
    whiteouts: Vec<String>,
    opaque: Vec<String>,
    captured: Vec<(String, String)>,
    /// Files holding the canary, and how it was written.
    canary: Vec<(String, String)>,
    /// Files whose search a bound cut short, and which bound.
    canary_limits: Vec<(String, String)>,
    /// Files that are copies of an original, and the original's path.
    copies: Vec<(String, String)>,
    content_bytes: u64,
}

/// The originals by size: only a file of one of these sizes is hashed.
type BySize<'o> = HashMap<u64, Vec<&'o Original>>;

/// The whole export, before the manifest says how the pieces fit.
#[derive(Debug, Default)]
pub struct ExportScan {
    layers: HashMap<String, LayerScan>,
    small: HashMap<String, Vec<u8>>,
    /// Legacy exports link a layer already written under another id.
    links: HashMap<String, String>,
}

/// Reads a whole export (`docker save` of one image) as it streams; [`ExportScan::compose`]
/// then makes the image's facts. `canary`, when given, is searched for in every file of every
/// layer, in every encoding it knows; a file of the size of one of `originals` is hashed, and
/// recorded when it is a copy of it.
pub fn scan_export<R: Read>(reader: R, canary: Option<&Canary>, originals: &[Original]) -> Result<ExportScan> {
    let mut by_size: BySize<'_> = HashMap::new();
    for o in originals {
        by_size.entry(o.size).or_default().push(o);
    }
    let mut out = ExportScan::default();
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().context("reading the export tar")? {
        let mut entry = entry.context("reading the export tar")?;
        let path = entry.path()?.to_string_lossy().trim_start_matches("./").to_string();
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            if let Some(target) = entry.link_name()? {
                let target = target.to_string_lossy().to_string();
                let resolved = resolve_relative(&path, &target);
                out.links.insert(path, resolved);
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let size = entry.size();
        let is_layer_candidate = path.ends_with("layer.tar") || path.starts_with("blobs/");
        if !is_layer_candidate {
            if size <= SMALL_BLOB {
                let mut buf = Vec::with_capacity(size as usize);
                entry.read_to_end(&mut buf)?;
                out.small.insert(path, buf);
            }
            continue;
        }
        let mut head = Vec::with_capacity(512);
        (&mut entry).take(512).read_to_end(&mut head)?;
        let is_gzip = head.starts_with(&[0x1f, 0x8b]);
        let is_tar =
            head.len() >= 262 && &head[257..262] == b"ustar" || (head.len() == 512 && head.iter().all(|b| *b == 0));
        let rest = io::Cursor::new(head.clone()).chain(&mut entry);
        if is_gzip {
            let layer = scan_layer(flate2::read::GzDecoder::new(rest), canary, &by_size)
                .with_context(|| format!("reading layer {path}"))?;
            out.layers.insert(path, layer);
        } else if is_tar {
            let layer = scan_layer(rest, canary, &by_size).with_context(|| format!("reading layer {path}"))?;
            out.layers.insert(path, layer);
        } else if size <= SMALL_BLOB {
            let mut buf = head;
            entry.read_to_end(&mut buf)?;
            out.small.insert(path, buf);
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            bail!("layer {path} is zstd-compressed, which the grader cannot read yet");
        }
    }
    Ok(out)
}

/// Where the image config holds the canary: each ENV and LABEL, each history entry (build
/// arguments and command lines are recorded there), then anything else in the config.
pub fn canary_in_config(canary: &Canary, config_json: &str) -> Vec<ConfigHit> {
    let Some(how) = canary.find_in_text(config_json) else { return Vec::new() };
    let Ok(config) = serde_json::from_str::<serde_json::Value>(config_json) else {
        return vec![ConfigHit { place: "the image config".into(), how: how.clone() }];
    };
    let mut hits = Vec::new();
    let mut hit = |place: String, text: &str| {
        if let Some(how) = canary.find_in_text(text) {
            hits.push(ConfigHit { place, how: how.clone() });
        }
    };
    let c = &config["config"];
    for env in c["Env"].as_array().into_iter().flatten().filter_map(|e| e.as_str()) {
        hit(format!("ENV {}", env.split('=').next().unwrap_or(env)), env);
    }
    for (key, value) in c["Labels"].as_object().into_iter().flatten() {
        hit(format!("LABEL {key}"), &format!("{key}={}", value.as_str().unwrap_or("")));
    }
    for entry in config["history"].as_array().into_iter().flatten() {
        let created_by = entry["created_by"].as_str().unwrap_or("");
        let instruction = created_by.trim().strip_suffix("# buildkit").unwrap_or(created_by).trim();
        let shown: String = instruction.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        hit(format!("the build history of `{shown} ...`"), created_by);
    }
    if hits.is_empty() {
        hits.push(ConfigHit { place: "the image config".into(), how: how.clone() });
    }
    hits
}

fn resolve_relative(from: &str, target: &str) -> String {
    if !target.starts_with("..") {
        return target.trim_start_matches("./").to_string();
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn scan_layer<R: Read>(reader: R, canary: Option<&Canary>, by_size: &BySize<'_>) -> Result<LayerScan> {
    let mut scan = LayerScan::default();
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = entry.path()?.to_string_lossy().to_string();
        let path = normalise(&raw);
        if path.is_empty() {
            continue;
        }
        let (dir, name) = match path.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", path.as_str()),
        };
        if name == ".wh..wh..opq" {
            scan.opaque.push(dir.to_string());
            continue;
        }
        if let Some(deleted) = name.strip_prefix(".wh.") {
            scan.whiteouts.push(if dir.is_empty() { deleted.to_string() } else { format!("{dir}/{deleted}") });
            continue;
        }
        let header = entry.header();
        let t = header.entry_type();
        let kind = if t.is_file() {
            EntryKind::File
        } else if t.is_dir() {
            EntryKind::Dir
        } else if t.is_symlink() {
            EntryKind::Symlink
        } else if t.is_hard_link() {
            EntryKind::Hardlink
        } else {
            EntryKind::Other
        };
        let size = if kind == EntryKind::File { entry.size() } else { 0 };
        let file = FileEntry { kind, size, mode: header.mode().unwrap_or(0), uid: header.uid().unwrap_or(0), layer: 0 };
        scan.content_bytes += size;
        if kind == EntryKind::File {
            let captured = CAPTURED.contains(&path.as_str()) || CAPTURED_DIRS.iter().any(|d| path.starts_with(d));
            if captured && size < CAPTURED_MAX {
                let mut text = String::new();
                entry.read_to_string(&mut text).ok();
                if let Some(found) = canary.and_then(|c| c.find_in(text.as_bytes(), size).ok()?.found) {
                    scan.canary.push((path.clone(), found.0));
                }
                scan.captured.push((path.clone(), text));
            } else if let Some(same_size) = by_size.get(&size) {
                // Held whole (originals are at most COPIES_OF_MAX_BYTES), hashed, then searched.
                let mut data = Vec::with_capacity(size as usize);
                (&mut entry).take(size).read_to_end(&mut data)?;
                let sha256: [u8; 32] = sha2::Sha256::digest(&data).into();
                if let Some(o) = same_size.iter().find(|o| o.sha256 == sha256) {
                    scan.copies.push((path.clone(), o.path.clone()));
                }
                if let Some(canary) = canary {
                    let outcome = canary.find_in(data.as_slice(), size)?;
                    if let Some(found) = outcome.found {
                        scan.canary.push((path.clone(), found.0));
                    }
                    scan.canary_limits.extend(outcome.limits.into_iter().map(|l| (path.clone(), l)));
                }
            } else if let Some(canary) = canary {
                let outcome = canary.find_in(&mut entry, size)?;
                if let Some(found) = outcome.found {
                    scan.canary.push((path.clone(), found.0));
                }
                scan.canary_limits.extend(outcome.limits.into_iter().map(|l| (path.clone(), l)));
            }
        }
        scan.entries.push((format!("/{path}"), file));
    }
    Ok(scan)
}

/// `./usr/bin/` -> `usr/bin`
fn normalise(p: &str) -> String {
    p.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/').to_string()
}

impl ExportScan {
    /// Orders the layers by the manifest and composes the final filesystem.
    pub fn compose(mut self) -> Result<ImageFacts> {
        let (config_path, layer_paths) = self.manifest()?;
        let config =
            self.small.get(&config_path).ok_or_else(|| anyhow!("the export has no image config {config_path}"))?;
        let config_json = String::from_utf8_lossy(config).into_owned();
        let config: serde_json::Value = serde_json::from_slice(config).context("parsing the image config")?;
        let mut facts = ImageFacts { config: image_config(&config), config_json, ..ImageFacts::default() };
        facts.history = config
            .get("history")
            .and_then(|h| h.as_array())
            .map(|h| {
                h.iter()
                    .map(|e| HistoryEntry {
                        created_by: e.get("created_by").and_then(|c| c.as_str()).unwrap_or("").to_string(),
                        empty_layer: e.get("empty_layer").and_then(|c| c.as_bool()).unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut layer_history = facts.history.iter().filter(|h| !h.empty_layer).map(|h| h.created_by.clone());

        let mut captured: BTreeMap<String, String> = BTreeMap::new();
        let keys: Vec<String> =
            layer_paths.iter().map(|path| self.links.get(path).cloned().unwrap_or_else(|| path.clone())).collect();
        for (index, (path, key)) in layer_paths.iter().zip(&keys).enumerate() {
            // A layer listed twice (same content) is stored once: its last use takes the scan,
            // an earlier one copies it. Taking it moves each path's string into the final
            // filesystem instead of copying it: that map is the scan's peak memory.
            let last_use = !keys[index + 1..].contains(key);
            let scan = if last_use { self.layers.remove(key) } else { self.layers.get(key).cloned() };
            let Some(scan) = scan else { bail!("the export lists layer {path} but does not contain it") };
            for dir in &scan.opaque {
                remove_children(&mut facts.files, dir);
                captured.retain(|p, _| !p.starts_with(&format!("/{dir}/")));
            }
            for gone in &scan.whiteouts {
                let abs = format!("/{gone}");
                facts.files.remove(&abs);
                remove_children(&mut facts.files, gone);
                captured.remove(&abs);
            }
            let entries = scan.entries.len();
            for (p, e) in scan.entries {
                facts.files.insert(p, FileEntry { layer: index, ..e });
            }
            for (p, text) in scan.captured {
                captured.insert(format!("/{p}"), text);
            }
            for (p, how) in scan.canary {
                facts.canary_hits.push(CanaryHit { path: format!("/{p}"), layer: index, how });
            }
            for (p, original) in scan.copies {
                facts.copies.push(CopyHit { path: format!("/{p}"), layer: index, original });
            }
            for (p, limit) in scan.canary_limits {
                facts.canary_limits.push(format!("/{p} (layer {}): {limit}", index + 1));
            }
            facts.content_size += scan.content_bytes;
            facts.layers.push(Layer {
                content_bytes: scan.content_bytes,
                entries,
                created_by: layer_history.next().unwrap_or_default(),
            });
        }
        facts.captured = captured;
        self.layers.clear();
        Ok(facts)
    }

    /// The config blob's path and the layer paths in order, from `manifest.json` (legacy and
    /// Docker 25+) or the OCI `index.json`.
    fn manifest(&self) -> Result<(String, Vec<String>)> {
        if let Some(bytes) = self.small.get("manifest.json") {
            let m: serde_json::Value = serde_json::from_slice(bytes).context("parsing manifest.json")?;
            let first = m.get(0).ok_or_else(|| anyhow!("manifest.json lists no image"))?;
            let config =
                first.get("Config").and_then(|c| c.as_str()).ok_or_else(|| anyhow!("manifest.json has no Config"))?;
            let layers = first
                .get("Layers")
                .and_then(|l| l.as_array())
                .map(|l| l.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            return Ok((config.to_string(), layers));
        }
        let index = self
            .small
            .get("index.json")
            .ok_or_else(|| anyhow!("the export has neither manifest.json nor index.json"))?;
        let mut doc: serde_json::Value = serde_json::from_slice(index).context("parsing index.json")?;
        // Follow nested indexes down to an image manifest.
        for _ in 0..4 {
            if let Some(first) = doc.get("manifests").and_then(|m| m.get(0)) {
                let blob = blob_path(first.get("digest").and_then(|d| d.as_str()).unwrap_or(""));
                let bytes = self.small.get(&blob).ok_or_else(|| anyhow!("the export lacks {blob}"))?;
                doc = serde_json::from_slice(bytes).with_context(|| format!("parsing {blob}"))?;
                continue;
            }
            let config = blob_path(doc.pointer("/config/digest").and_then(|d| d.as_str()).unwrap_or(""));
            let layers = doc
                .get("layers")
                .and_then(|l| l.as_array())
                .map(|l| l.iter().filter_map(|x| x.get("digest").and_then(|d| d.as_str()).map(blob_path)).collect())
                .unwrap_or_default();
            return Ok((config, layers));
        }
        bail!("index.json nests too deeply")
    }
}

fn blob_path(digest: &str) -> String {
    format!("blobs/{}", digest.replacen(':', "/", 1))
}

fn remove_children(files: &mut BTreeMap<String, FileEntry>, dir: &str) {
    let prefix = if dir.is_empty() { "/".to_string() } else { format!("/{dir}/") };
    let doomed: Vec<String> =
        files.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).map(|(k, _)| k.clone()).collect();
    for k in doomed {
        files.remove(&k);
    }
}

fn image_config(config: &serde_json::Value) -> ImageConfig {
    let c = config.get("config").cloned().unwrap_or_default();
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let mut ports: Vec<String> =
        c.get("ExposedPorts").and_then(|p| p.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    ports.sort();
    ImageConfig {
        user: c.get("User").and_then(|u| u.as_str()).unwrap_or("").to_string(),
        exposed_ports: ports,
        entrypoint: strings(c.get("Entrypoint")),
        cmd: strings(c.get("Cmd")),
        env: strings(c.get("Env")),
        workdir: c.get("WorkingDir").and_then(|u| u.as_str()).unwrap_or("").to_string(),
        stop_signal: c.get("StopSignal").and_then(|u| u.as_str()).unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a tar in memory from (path, content) pairs; `None` content makes a directory.
    fn tar_of(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, content) in entries {
            let mut h = tar::Header::new_ustar();
            match content {
                Some(c) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_size(c.len() as u64);
                    h.set_mode(0o644);
                    b.append_data(&mut h, path, *c).unwrap();
                }
                None => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_size(0);
                    h.set_mode(0o755);
                    b.append_data(&mut h, path, io::empty()).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn config_json() -> Vec<u8> {
        serde_json::json!({
            "config": {"User": "app", "ExposedPorts": {"8080/tcp": {}}, "Cmd": ["/app"]},
            "history": [
                {"created_by": "base layer"},
                {"created_by": "ENV X=1", "empty_layer": true},
                {"created_by": "RUN /bin/sh -c rm -rf /src # buildkit"},
                {"created_by": "COPY app /app # buildkit"}
            ]
        })
        .to_string()
        .into_bytes()
    }

    fn layers() -> [Vec<u8>; 3] {
        [
            tar_of(&[
                ("etc/", None),
                ("etc/passwd", Some(b"root:x:0:0::/root:/bin/sh\n")),
                ("src/", None),
                ("src/main.go", Some(b"package main // SECRET-CANARY")),
                ("opt/", None),
                ("opt/a", Some(b"aaaa")),
            ]),
            tar_of(&[
                ("src/.wh.main.go", Some(b"")),
                ("opt/", None),
                ("opt/.wh..wh..opq", Some(b"")),
                ("opt/b", Some(b"b")),
            ]),
            tar_of(&[
                ("app", Some(b"binary")),
                ("etc/passwd", Some(b"root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/:/x\n")),
            ]),
        ]
    }

    /// A `docker save` of the legacy layout holding [`layers`] as `1/`, `2/` and `3/layer.tar`,
    /// its manifest listing them in `order` (a layer may be listed more than once).
    fn legacy_export(order: &[&str]) -> Vec<u8> {
        let [l1, l2, l3] = layers();
        let listed: Vec<String> = order.iter().map(|n| format!("\"{n}/layer.tar\"")).collect();
        let manifest = format!(r#"[{{"Config":"abc.json","Layers":[{}]}}]"#, listed.join(","));
        tar_of(&[
            ("1/layer.tar", Some(&l1)),
            ("2/layer.tar", Some(&l2)),
            ("3/layer.tar", Some(&l3)),
            ("abc.json", Some(&config_json())),
            ("manifest.json", Some(manifest.as_bytes())),
        ])
    }

    #[test]
    fn legacy_layout_composes_the_final_filesystem() {
        let export = legacy_export(&["1", "2", "3"]);
        let canary = Canary::new(b"SECRET-CANARY").unwrap();
        let facts = scan_export(export.as_slice(), Some(&canary), &[]).unwrap().compose().unwrap();
        assert!(!facts.files.contains_key("/src/main.go"), "whiteout removes the file");
        assert!(!facts.files.contains_key("/opt/a"), "opaque dir hides lower content");
        assert_eq!(facts.files["/opt/b"].layer, 1);
        assert_eq!(facts.files["/app"].layer, 2);
        assert_eq!(facts.layers[2].created_by, "COPY app /app # buildkit");
        assert_eq!(facts.layers[1].created_by, "RUN /bin/sh -c rm -rf /src # buildkit");
        assert!(facts.file_text("/etc/passwd").unwrap().contains("app:x:1000"));
        let hit = CanaryHit { path: "/src/main.go".into(), layer: 0, how: "as is".into() };
        assert_eq!(facts.canary_hits, vec![hit], "deleted later, still shipped");
        assert_eq!(facts.config.user, "app");
        assert_eq!(facts.config.exposed_ports, vec!["8080/tcp"]);
        let expected = 26 + 29 + 4 + 1 + 6 + 48;
        assert_eq!(facts.content_size, expected);
    }

    #[test]
    fn a_layer_listed_twice_counts_at_both_places() {
        // Two steps that produced the same content (`RUN touch /x` twice over a `rm`): the
        // export stores the layer once and the manifest lists it at both places.
        let export = legacy_export(&["3", "1", "2", "3"]);
        let facts = scan_export(export.as_slice(), None, &[]).unwrap().compose().unwrap();
        assert_eq!(facts.layers.len(), 4);
        assert_eq!(facts.layers[0].entries, facts.layers[3].entries);
        assert_eq!(facts.files["/app"].layer, 3, "the last place that wrote it");
        assert!(facts.file_text("/etc/passwd").unwrap().contains("app:x:1000"));
        assert_eq!(facts.content_size, 2 * (6 + 48) + 26 + 29 + 4 + 1);
    }

    #[test]
    fn oci_layout_with_gzip_layers() {
        let [l1, l2, l3] = layers();
        let (g1, g2) = (gzip(&l1), gzip(&l2));
        let config = config_json();
        let manifest = serde_json::json!({
            "config": {"digest": "sha256:cfg"},
            "layers": [{"digest": "sha256:l1"}, {"digest": "sha256:l2"}, {"digest": "sha256:l3"}]
        })
        .to_string();
        let index = r#"{"manifests":[{"digest":"sha256:man"}]}"#;
        let export = tar_of(&[
            ("blobs/", None),
            ("blobs/sha256/", None),
            ("blobs/sha256/l1", Some(&g1)),
            ("blobs/sha256/l2", Some(&g2)),
            ("blobs/sha256/l3", Some(&l3)),
            ("blobs/sha256/cfg", Some(&config)),
            ("blobs/sha256/man", Some(manifest.as_bytes())),
            ("index.json", Some(index.as_bytes())),
        ]);
        let facts = scan_export(export.as_slice(), None, &[]).unwrap().compose().unwrap();
        assert_eq!(facts.files["/app"].layer, 2);
        assert!(!facts.files.contains_key("/src/main.go"));
        assert!(facts.canary_hits.is_empty());
    }

    #[test]
    fn copies_of_an_original_are_found_by_size_and_hash_and_still_searched() {
        let export = legacy_export(&["1", "2", "3"]);
        let original = |path: &str, bytes: &[u8]| Original {
            path: path.into(),
            size: bytes.len() as u64,
            sha256: sha2::Sha256::digest(bytes).into(),
        };
        // `app` is "binary"; "BINARY" has its size, not its hash; the canary file is still searched.
        let originals = [
            original("/usr/bin/make", b"binary"),
            original("/usr/bin/other", b"BINARY"),
            original("/usr/bin/x", b"package main // SECRET-CANARY"),
        ];
        let canary = Canary::new(b"SECRET-CANARY").unwrap();
        let facts = scan_export(export.as_slice(), Some(&canary), &originals).unwrap().compose().unwrap();
        let copy = |path: &str, layer, original: &str| CopyHit { path: path.into(), layer, original: original.into() };
        assert_eq!(facts.copies, vec![copy("/src/main.go", 0, "/usr/bin/x"), copy("/app", 2, "/usr/bin/make")]);
        assert_eq!(facts.canary_hits.len(), 1, "a hashed file is searched too");
    }

    #[test]
    fn relative_links_resolve() {
        assert_eq!(resolve_relative("b/layer.tar", "../a/layer.tar"), "a/layer.tar");
    }
}
