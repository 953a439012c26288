//! The properties the fuzz targets check, one function per target: called by the cargo-fuzz
//! targets in `fuzz/fuzz_targets/` (nightly, libFuzzer) and by the stable-toolchain slice in
//! `fuzz_tests.rs` (every `cargo test`), so both check the same thing. Each takes arbitrary bytes
//! and panics when a property fails.

use workbook::spec::{CheckKind, Spec};

use crate::context::BuildContext;
use crate::dockerignore::Dockerignore;

/// The `.dockerignore` matcher never panics, and the Dockerfile pushed back in (as the context
/// packer does) is never excluded. Input: first line a path to ask about, the rest the file.
pub fn dockerignore(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (path, rules) = text.split_once('\n').unwrap_or((text, ""));
    let Ok(mut ignore) = Dockerignore::parse(rules) else { return };
    let _ = ignore.excludes(path);
    let _ = ignore.must_descend(path);
    ignore.push("!Dockerfile");
    assert!(!ignore.excludes("Dockerfile"));
}

/// The spec loader never panics, and a spec it accepts holds what validation promises: paths
/// inside the exercise, limits in range, a total of points that fits.
pub fn spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(spec) = Spec::parse(text) else { return };
    let _ = spec.total_points();
    assert!(!spec.build.dockerfile.starts_with('/') && (1..=7200).contains(&spec.build.timeout_s));
    for c in &spec.checks {
        if let CheckKind::Smoke(s) = &c.kind {
            assert!(s.memory_mb >= 6 && s.pids >= 1 && s.timeout_s >= 1);
        }
    }
}

/// The image-export reader never panics on any tar (legacy or OCI layout, gzip layers or not).
pub fn export(data: &[u8]) {
    let canary = crate::canary::Canary::new(b"canary").expect("a canary of six bytes");
    if let Ok(scan) = crate::image::scan_export(data, Some(&canary), &[]) {
        let _ = scan.compose();
    }
}

/// The context packer never panics on any folder, and its tar is what the rules say: a
/// well-formed tar whose entries are the listing, each file's bytes as on disk (the quieted
/// Dockerfile and ignore file aside), nothing the rules exclude, and every file the rules leave
/// in unless an excluded folder the CLI would not enter holds it.
///
/// Input: `\n--\n`-separated parts; the first is the `.dockerignore`, each other one an entry:
/// its first line a path (`name/` a folder, `name -> target` a symlink), the rest a file's
/// content. Paths are cut to safe components inside a temporary folder.
pub fn context(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let root = dir.path();
    let mut parts = text.split("\n--\n");
    let _ = std::fs::write(root.join(".dockerignore"), parts.next().unwrap_or(""));
    let _ = std::fs::write(root.join("Dockerfile"), "FROM scratch\n");
    for part in parts.take(24) {
        let (head, content) = part.split_once('\n').unwrap_or((part, ""));
        let (path, link) = match head.split_once(" -> ") {
            Some((p, t)) => (p, Some(t)),
            None => (head, None),
        };
        let parts: Vec<&str> = path.split('/').filter(|c| !c.is_empty() && *c != "." && *c != "..").take(4).collect();
        let Some(rel) = (!parts.is_empty()).then(|| parts.join("/")) else { continue };
        let at = root.join(&rel);
        if let Some(parent) = at.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        let _ = match link {
            Some(target) => std::os::unix::fs::symlink(target, &at),
            None if path.ends_with('/') => std::fs::create_dir_all(&at),
            None => std::fs::write(&at, content),
        };
    }
    let Ok(ctx) = BuildContext::pack(root, "Dockerfile") else { return };
    let tar = ctx.write_tar(Vec::new()).expect("a listed folder that did not change packs");
    let mut archive = tar::Archive::new(tar.as_slice());
    let mut sent = Vec::new();
    for entry in archive.entries().expect("the tar reads back") {
        let mut entry = entry.expect("every entry reads back");
        let name = entry.path().expect("every name reads back").to_string_lossy().into_owned();
        let rel = name.trim_end_matches('/').to_string();
        assert!(!ctx.ignore.excludes(&rel), "{rel} is excluded but was sent");
        if entry.header().entry_type().is_file() && !ctx.quieted.contains(&rel) {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).expect("file content reads back");
            assert_eq!(bytes, std::fs::read(root.join(&rel)).unwrap(), "{rel} was sent with other bytes");
        }
        sent.push(rel);
    }
    assert_eq!(&sent, ctx.entries.as_ref(), "the tar is not the listing");
    crate::workspace::walk(root, &mut |e| {
        let rel = e.rel.to_string_lossy().into_owned();
        let excluded = ctx.ignore.excludes(&rel);
        // The grader's own files at the top (the spec, `.grader/`) are never sent.
        let own = rel == workbook::spec::SPEC_FILE || rel == ".grader";
        if e.meta.is_dir() {
            return Ok(!own && (!excluded || ctx.ignore.must_descend(&rel)));
        }
        assert_eq!(sent.contains(&rel), !excluded && !own, "{rel}: sent or left out against the rules");
        Ok(false)
    })
    .unwrap();
}
