//! The build context: the tar the engine receives.
//!
//! Made by the grader itself from an exercise folder, with the ignore file applied as the docker
//! CLI applies it (`<Dockerfile>.dockerignore` when it exists, else `.dockerignore`), the spec
//! file and the grader's own `.grader/` folder always left out. As with the CLI's upload to the
//! classic builder, the Dockerfile and the ignore file are always sent, so the engine can read
//! them (see the book's performance notes for what this means for BuildKit's `COPY . .`).
//!
//! Packing is two passes, so memory does not grow with the context: [`BuildContext::pack`] only
//! walks the folder and lists what the context holds (paths and sizes, never content), and
//! [`BuildContext::stream`] writes the tar while the engine reads it, a few chunks at a time, on
//! a blocking thread. Every build (the main build and each probe) streams its own tar from the
//! one listing; nothing of a finished upload is kept.
//!
//! Headers are as the docker CLI writes them for the classic builder: owner 0:0 without names,
//! each entry's own permission bits, folders named with a trailing slash. The
//! classic builder's cache key of `COPY` is a tarsum of these headers (name, mode, owner, size;
//! never the time) and the files' bytes, so the learner's `docker build` and the grader's share
//! it; the time is fixed, so the same files always make the same tar.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use bytes::Bytes;

use crate::dockerignore::Dockerignore;
use workbook::spec::SPEC_FILE;

/// Folders and files of the grader's that never enter a context.
const GRADER_OWN: [&str; 2] = [SPEC_FILE, ".grader"];

/// The time written in every header (the one tar's deterministic mode uses, 2006-07-24).
const FIXED_MTIME: u64 = 1_153_704_088;

/// Bytes per chunk handed to the engine connection, and chunks in flight: the memory the
/// upload takes is about their product, whatever the context's size.
const CHUNK: usize = 256 * 1024;
const CHUNKS_IN_FLIGHT: usize = 4;

/// What a build context holds, listed from an exercise folder; the tar is written on demand.
#[derive(Debug, Clone)]
pub struct BuildContext {
    /// The folder packed.
    pub root: PathBuf,
    /// Every entry sent (folders, files, links), relative path, in walk order.
    pub entries: Arc<Vec<String>>,
    /// Every regular file sent, relative path and size, in walk order.
    pub files: Vec<(String, u64)>,
    /// The ignore rules that were applied.
    pub ignore: Dockerignore,
    /// Special files (FIFOs, sockets, devices) left out, never opened: a FIFO opened for
    /// reading blocks until something writes to it.
    pub skipped: Vec<String>,
    /// The Dockerfile and ignore file when the ignore rules exclude them: sent for the engine
    /// to read, with their comments' text left out (see [`without_comment_text`]).
    pub quieted: Vec<String>,
    /// The Dockerfile and the ignore file that applies: always sent, whatever the rules say.
    pub always_sent: [String; 2],
}

/// What the canary search of a context's files found: each file holding the secret (its path
/// and how the secret is written in it), and every bound that cut a file's search short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextCanary {
    pub hits: Vec<(String, String)>,
    pub limits: Vec<String>,
}

/// One upload of a context: the tar's chunks as they are written, and the packer's error (a
/// file that vanished or could not be read), which is the grader's, never the engine's.
pub struct ContextUpload {
    pub body: std::pin::Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Bytes>> + Send>>,
    pub error: Arc<Mutex<Option<String>>>,
}

impl BuildContext {
    /// Bytes of file content sent (what the CLI's "transferring context" roughly shows).
    pub fn content_bytes(&self) -> u64 {
        self.files.iter().map(|(_, s)| s).sum()
    }

    /// Lists the context of `dir`, honouring its `.dockerignore`; reads no file content.
    /// `dockerfile` is the Dockerfile's path relative to `dir`; it is always sent.
    pub fn pack(dir: &Path, dockerfile: &str) -> Result<BuildContext> {
        BuildContext::pack_within(dir, dockerfile, max_context_bytes())
    }

    /// [`BuildContext::pack`] with the size limit given.
    fn pack_within(dir: &Path, dockerfile: &str, limit: u64) -> Result<BuildContext> {
        let ignore_file = ignore_file_for(dir, dockerfile);
        let mut ignore = Dockerignore::load_file(&dir.join(&ignore_file))?;
        let quieted: Vec<String> =
            [dockerfile, &ignore_file].into_iter().filter(|f| ignore.excludes(f)).map(String::from).collect();
        if !ignore.is_empty() {
            ignore.push(&format!("!{dockerfile}"));
            ignore.push(&format!("!{ignore_file}"));
        }
        if ignore_file != ".dockerignore" {
            // An engine that does not know Dockerfile-specific ignore files would apply this one.
            ignore.push(".dockerignore");
        }
        let mut entries = Vec::new();
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        list_tree(dir, &ignore, &mut entries, &mut files, &mut skipped)?;
        if !dir.join(dockerfile).is_file() {
            anyhow::bail!("{} has no {dockerfile}", dir.display());
        }
        let total: u64 = files.iter().map(|(_, s)| s).sum();
        if total > limit {
            return Err(workbook::advice(format!(
                "the build context of {} would be {} MB, over the grader's limit of {} MB (set \
                 GRADER_MAX_CONTEXT_MB to change it). Its largest files: {}. Leave what the image does not \
                 need out with .dockerignore.",
                dir.display(),
                total / 1_000_000,
                limit / 1_000_000,
                largest(&files, 5)
            )));
        }
        let always_sent = [dockerfile.to_string(), ignore_file];
        Ok(BuildContext {
            root: dir.to_path_buf(),
            entries: Arc::new(entries),
            files,
            ignore,
            skipped,
            quieted,
            always_sent,
        })
    }

    /// Searches every regular file the context sends for `canary`, read as the upload reads it
    /// (the listed size, a link never followed), except the Dockerfile and its ignore file: the
    /// engine must read those, and what a Dockerfile puts in the image is found there. Each file's
    /// search is bounded as the image's are ([`Canary::find_in`]); the context as a whole is
    /// bounded by `GRADER_MAX_CONTEXT_MB`. A file that vanished or cannot be read is a bound
    /// too: "not found" is never claimed for it.
    pub fn find_canary(&self, canary: &crate::canary::Canary) -> ContextCanary {
        let mut out = ContextCanary::default();
        for (rel, size) in &self.files {
            if self.always_sent.contains(rel) {
                continue;
            }
            let path = self.root.join(rel);
            let read = path.symlink_metadata().and_then(|m| {
                if !m.is_file() {
                    return Ok(None);
                }
                let file = std::fs::File::open(&path)?;
                canary.find_in(file.take(*size), *size).map(Some)
            });
            match read {
                Ok(Some(outcome)) => {
                    if let Some(found) = outcome.found {
                        out.hits.push((rel.clone(), found.0));
                    }
                    out.limits.extend(outcome.limits.into_iter().map(|l| format!("{rel}: {l}")));
                }
                Ok(None) => {}
                Err(e) => out.limits.push(format!("{rel}: could not be read ({e})")),
            }
        }
        out
    }

    /// The `n` largest files sent, with their sizes, for a message.
    pub fn largest(&self, n: usize) -> String {
        largest(&self.files, n)
    }

    /// [`BuildContext::pack`] on a blocking thread, off the async runtime.
    pub async fn pack_off_runtime(dir: &Path, dockerfile: &str) -> Result<BuildContext> {
        let (dir, dockerfile) = (dir.to_path_buf(), dockerfile.to_string());
        crate::workspace::off_runtime(move || BuildContext::pack(&dir, &dockerfile)).await
    }

    /// Writes the tar to `out`, reading each file as it goes.
    pub fn write_tar<W: Write>(&self, out: W) -> Result<W> {
        let mut builder = tar::Builder::new(out);
        for rel in self.entries.iter() {
            let quiet = self.quieted.contains(rel);
            append(&mut builder, &self.root.join(rel), rel, quiet).with_context(|| format!("sending {rel}"))?;
        }
        builder.into_inner().context("finishing the context tar")
    }

    // ANCHOR: stream
    /// The tar as a stream of chunks, written on a blocking thread while it is read: the upload
    /// holds at most [`CHUNKS_IN_FLIGHT`] chunks. Dropping the stream stops the writer.
    pub fn stream(&self) -> ContextUpload {
        let (tx, mut rx) = tokio::sync::mpsc::channel(CHUNKS_IN_FLIGHT);
        let error = Arc::new(Mutex::new(None));
        let (ctx, slot) = (self.clone(), error.clone());
        tokio::task::spawn_blocking(move || {
            let writer = ChunkWriter { buf: Vec::with_capacity(CHUNK), tx: tx.clone() };
            let result = ctx.write_tar(writer).and_then(|mut w| w.flush().map_err(Into::into));
            if let Err(e) = result {
                // A closed channel means the engine's side ended first: nothing to report.
                if !tx.is_closed() {
                    let msg = format!("{e:#}");
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg.clone());
                    let _ = tx.blocking_send(Err(std::io::Error::other(msg)));
                }
            }
        });
        ContextUpload { body: Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))), error }
    }
    // ANCHOR_END: stream
}

/// A writer that hands full chunks to the upload, waiting while the engine has not read the
/// earlier ones.
struct ChunkWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the engine stopped reading the context"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Appends one entry, with the header the CLI would write (see the module comment). A file
/// that shrank since it was listed is padded with zeros, one that grew is cut at the listed
/// size, so the tar stays well formed; an entry that became special is left out unopened.
/// A `quiet` file is sent [`without_comment_text`].
fn append<W: Write>(builder: &mut tar::Builder<W>, path: &Path, rel: &str, quiet: bool) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = path.symlink_metadata()?;
    if crate::workspace::is_special(&meta) {
        return Ok(());
    }
    let mut header = tar::Header::new_gnu();
    header.set_metadata_in_mode(&meta, tar::HeaderMode::Complete);
    // The permission bits alone, as the docker CLI 28 writes them (captured from its upload):
    // the classic builder's cache key hashes the header.
    header.set_mode(meta.mode() & 0o7777);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(FIXED_MTIME);
    let ft = meta.file_type();
    if ft.is_symlink() {
        let target = std::fs::read_link(path)?;
        header.set_size(0);
        builder.append_link(&mut header, rel, target)?;
    } else if ft.is_dir() {
        header.set_size(0);
        // Folders named with a trailing slash, as the CLI names them (the name is hashed too).
        builder.append_data(&mut header, format!("{rel}/"), std::io::empty())?;
    } else if quiet && meta.is_file() {
        let text = std::fs::read(path)?;
        let sent = without_comment_text(&String::from_utf8_lossy(&text));
        header.set_size(sent.len() as u64);
        builder.append_data(&mut header, rel, sent.as_bytes())?;
    } else {
        let size = meta.len();
        header.set_size(size);
        let file = std::fs::File::open(path)?;
        let exact = file.take(size).chain(std::io::repeat(0)).take(size);
        builder.append_data(&mut header, rel, exact)?;
    }
    Ok(())
}

/// A Dockerfile or ignore file with the text of its comment lines removed (each keeps its `#`,
/// so lines keep their numbers and the parser reads the same instructions); the parser
/// directives at the top (`# syntax=`, `# escape=`, `# check=`) are kept, and a Dockerfile with a
/// heredoc (`<<`), whose body lines may start with `#`, is kept whole.
///
/// Why: with BuildKit, the engine reads the Dockerfile from the uploaded tar and `COPY . .` sees
/// the whole tar, ignore rules or not. When the rules exclude the Dockerfile, the CLI's
/// `COPY . .` never sees it, so a comment edited there must not change what the grader's sees.
pub fn without_comment_text(text: &str) -> String {
    if text.contains("<<") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_directives = true;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let directive = trimmed.strip_prefix('#').is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.split_once('=')
                .is_some_and(|(k, _)| !k.is_empty() && k.trim_end().chars().all(|c| c.is_ascii_alphanumeric()))
        });
        in_directives &= directive;
        if trimmed.starts_with('#') && !in_directives {
            out.push('#');
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The default of `GRADER_MAX_CONTEXT_MB`. The grader streams the context and holds none of
/// it, but the engine stores a copy on its disk for every build: a stray disk image in the
/// folder must stop the grading, not fill the engine's disk.
const DEFAULT_MAX_CONTEXT_MB: u64 = 2000;

fn max_context_bytes() -> u64 {
    let mb = std::env::var("GRADER_MAX_CONTEXT_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MAX_CONTEXT_MB);
    mb.saturating_mul(1_000_000)
}

fn largest(files: &[(String, u64)], n: usize) -> String {
    let mut by_size: Vec<&(String, u64)> = files.iter().collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by_size.iter().take(n).map(|(p, s)| format!("{p} ({:.1} MB)", *s as f64 / 1e6)).collect::<Vec<_>>().join(", ")
}

/// The ignore file that applies: `<Dockerfile>.dockerignore` next to the Dockerfile wins over
/// `.dockerignore` at the context root, as in BuildKit.
pub fn ignore_file_for(dir: &Path, dockerfile: &str) -> String {
    let specific = format!("{dockerfile}.dockerignore");
    if dir.join(&specific).is_file() {
        specific
    } else {
        ".dockerignore".to_string()
    }
}

/// Lists every entry of `root` the ignore rules leave in, recording regular files and sizes.
fn list_tree(
    root: &Path,
    ignore: &Dockerignore,
    entries: &mut Vec<String>,
    files: &mut Vec<(String, u64)>,
    skipped: &mut Vec<String>,
) -> Result<()> {
    crate::workspace::walk(root, &mut |e| {
        let Some(path) = e.rel.to_str() else {
            anyhow::bail!("{}: file names must be UTF-8", e.path.display());
        };
        if e.rel.parent() == Some(Path::new("")) && GRADER_OWN.contains(&path) {
            return Ok(false);
        }
        let excluded = ignore.excludes(path);
        if crate::workspace::is_special(e.meta) {
            if !excluded {
                skipped.push(path.to_string());
            }
            return Ok(false);
        }
        if e.meta.is_dir() {
            if excluded && !ignore.must_descend(path) {
                return Ok(false);
            }
            if !excluded {
                entries.push(path.to_string());
            }
            return Ok(true);
        }
        if !excluded {
            entries.push(path.to_string());
            if e.meta.is_file() {
                files.push((path.to_string(), e.meta.len()));
            }
        }
        Ok(false)
    })
}

/// A fresh temporary copy of `dir` holding only what its context holds (so bulk the ignore
/// rules leave out costs nothing), plus the spec file and `also` (files a probe edits, which
/// it must find even when the context leaves them out). On a blocking thread.
pub async fn temp_copy_of_context(dir: &Path, dockerfile: &str, also: &[&str]) -> Result<tempfile::TempDir> {
    let (dir, dockerfile) = (dir.to_path_buf(), dockerfile.to_string());
    let also: Vec<String> = std::iter::once(SPEC_FILE).chain(also.iter().copied()).map(String::from).collect();
    crate::workspace::off_runtime(move || {
        let ctx = BuildContext::pack(&dir, &dockerfile)?;
        let copy = tempfile::Builder::new().prefix("grader-").tempdir().context("creating a temporary directory")?;
        let listed = ctx.entries.iter().cloned();
        let extra = also.into_iter().filter(|rel| {
            // Only regular files inside the folder (spec paths are checked when loaded).
            !rel.split('/').any(|c| c == "..") && dir.join(rel).symlink_metadata().is_ok_and(|m| m.is_file())
        });
        for rel in listed.chain(extra) {
            crate::workspace::copy_entry(&dir.join(&rel), &copy.path().join(&rel))?;
        }
        Ok(copy)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ctx: &BuildContext) -> Vec<String> {
        let tar = ctx.write_tar(Vec::new()).unwrap();
        let mut a = tar::Archive::new(tar.as_slice());
        a.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn packs_with_ignore_and_leaves_grader_files_out() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::write(p.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(p.join("exercise.toml"), "x").unwrap();
        std::fs::write(p.join(".env"), "SECRET=1").unwrap();
        std::fs::write(p.join(".dockerignore"), ".env\ndocs\n!docs/keep.md\n").unwrap();
        std::fs::create_dir_all(p.join(".grader")).unwrap();
        std::fs::write(p.join(".grader/plant"), "x").unwrap();
        std::fs::create_dir_all(p.join("docs")).unwrap();
        std::fs::write(p.join("docs/keep.md"), "k").unwrap();
        std::fs::write(p.join("docs/drop.md"), "d").unwrap();
        std::fs::create_dir_all(p.join("src")).unwrap();
        std::fs::write(p.join("src/main.go"), "package main").unwrap();
        let ctx = BuildContext::pack(p, "Dockerfile").unwrap();
        let n = names(&ctx);
        assert_eq!(n, vec![".dockerignore", "Dockerfile", "docs/keep.md", "src/", "src/main.go"]);
        assert_eq!(ctx.content_bytes(), 24 + 13 + 1 + 12);
    }

    #[test]
    fn the_canary_search_reads_what_is_sent_but_the_dockerfile_and_ignore_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let secret = "canary-ex7-8d41f2c09b7e4a65";
        std::fs::write(p.join("Dockerfile"), format!("FROM scratch\n# {secret}\n")).unwrap();
        std::fs::write(p.join(".dockerignore"), format!(".env\n# {secret}\n")).unwrap();
        std::fs::write(p.join(".env"), format!("WEBHOOK_SECRET={secret}\n")).unwrap();
        std::fs::create_dir_all(p.join("config")).unwrap();
        std::fs::write(p.join("config/webhook.conf"), format!("WEBHOOK_SECRET={secret}\n")).unwrap();
        let b64 = "V0VCSE9PS19TRUNSRVQ9Y2FuYXJ5LWV4Ny04ZDQxZjJjMDliN2U0YTY1Cg==";
        std::fs::write(p.join("settings"), b64).unwrap();
        std::fs::write(p.join("app.js"), "console.log(1)\n").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", p.join("link")).unwrap();
        let ctx = BuildContext::pack(p, "Dockerfile").unwrap();
        let found = ctx.find_canary(&crate::canary::Canary::new(secret.as_bytes()).unwrap());
        assert_eq!(
            found.hits,
            vec![
                ("config/webhook.conf".to_string(), "as is".to_string()),
                ("settings".to_string(), "base64-encoded".to_string())
            ]
        );
        assert!(found.limits.is_empty(), "{:?}", found.limits);
        // A file that vanished after the listing is a bound, never "not found".
        std::fs::remove_file(p.join("settings")).unwrap();
        let found = ctx.find_canary(&crate::canary::Canary::new(secret.as_bytes()).unwrap());
        assert_eq!(found.hits.len(), 1);
        assert!(found.limits[0].starts_with("settings: could not be read"), "{:?}", found.limits);
    }

    #[test]
    fn headers_carry_owner_root_the_files_own_mode_and_a_fixed_time() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(d.path().join("run.sh"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(d.path().join("run.sh"), std::fs::Permissions::from_mode(0o750)).unwrap();
        std::fs::set_permissions(d.path().join("Dockerfile"), std::fs::Permissions::from_mode(0o664)).unwrap();
        std::os::unix::fs::symlink("run.sh", d.path().join("start")).unwrap();
        let tar = BuildContext::pack(d.path(), "Dockerfile").unwrap().write_tar(Vec::new()).unwrap();
        let mut a = tar::Archive::new(tar.as_slice());
        let seen: Vec<(String, u32, u64, u64, u64)> = a
            .entries()
            .unwrap()
            .map(|e| {
                let h = e.unwrap().header().clone();
                let p = h.path().unwrap().to_string_lossy().into_owned();
                (p, h.mode().unwrap(), h.uid().unwrap(), h.gid().unwrap(), h.mtime().unwrap())
            })
            .collect();
        assert_eq!(seen[0], ("Dockerfile".into(), 0o664, 0, 0, FIXED_MTIME));
        assert_eq!(seen[1], ("run.sh".into(), 0o750, 0, 0, FIXED_MTIME));
        assert_eq!(seen[2].0, "start");
    }

    #[tokio::test]
    async fn the_stream_is_the_tar_in_chunks_and_a_vanished_file_is_the_packers_error() {
        use futures_util::StreamExt;
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(d.path().join("big.bin"), vec![7u8; 3 * CHUNK + 5]).unwrap();
        let ctx = BuildContext::pack(d.path(), "Dockerfile").unwrap();
        let mut up = ctx.stream();
        let mut streamed = Vec::new();
        let mut chunks = 0;
        while let Some(c) = up.body.next().await {
            let c = c.unwrap();
            assert!(c.len() <= CHUNK);
            streamed.extend_from_slice(&c);
            chunks += 1;
        }
        assert!(chunks > 3);
        assert_eq!(streamed, ctx.write_tar(Vec::new()).unwrap());
        assert!(up.error.lock().unwrap().is_none());

        std::fs::remove_file(d.path().join("big.bin")).unwrap();
        let mut up = ctx.stream();
        let mut failed = false;
        while let Some(c) = up.body.next().await {
            failed |= c.is_err();
        }
        assert!(failed);
        assert!(up.error.lock().unwrap().as_deref().unwrap().contains("big.bin"));
    }

    #[test]
    fn an_excluded_dockerfile_and_ignore_file_are_sent_as_the_cli_does() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(d.path().join(".dockerignore"), "*\n!main.go\n").unwrap();
        std::fs::write(d.path().join("main.go"), "package main\n").unwrap();
        std::fs::write(d.path().join("README.md"), "x").unwrap();
        let ctx = BuildContext::pack(d.path(), "Dockerfile").unwrap();
        assert_eq!(names(&ctx), vec![".dockerignore", "Dockerfile", "main.go"]);
        assert_eq!(ctx.quieted, vec!["Dockerfile", ".dockerignore"]);
        // Sent with their comments quieted: a comment edit changes nothing the engine sees.
        std::fs::write(d.path().join("Dockerfile"), "# syntax=docker/dockerfile:1\n# base\nFROM scratch\n").unwrap();
        let tar = ctx.write_tar(Vec::new()).unwrap();
        let mut a = tar::Archive::new(tar.as_slice());
        let mut df = String::new();
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            if e.path().unwrap().to_str() == Some("Dockerfile") {
                e.read_to_string(&mut df).unwrap();
            }
        }
        assert_eq!(df, "# syntax=docker/dockerfile:1\n#\nFROM scratch\n");
    }

    #[test]
    fn comment_text_goes_lines_and_directives_stay() {
        let df = "# escape=`\n\n# the build\nFROM x AS b\n  # indented\nRUN a `\n# inside a continuation\n  && b # not a comment\n";
        assert_eq!(without_comment_text(df), "# escape=`\n\n#\nFROM x AS b\n#\nRUN a `\n#\n  && b # not a comment\n");
        let heredoc = "FROM x\nRUN <<EOF\n#!/bin/sh\nEOF\n";
        assert_eq!(without_comment_text(heredoc), heredoc);
    }

    #[test]
    fn an_included_dockerfile_is_sent_as_it_is() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "# base\nFROM scratch\n").unwrap();
        std::fs::write(d.path().join(".dockerignore"), "*.md\n").unwrap();
        let ctx = BuildContext::pack(d.path(), "Dockerfile").unwrap();
        assert!(ctx.quieted.is_empty());
    }

    #[test]
    fn a_dockerfile_specific_ignore_file_wins() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(d.path().join("Dockerfile.dockerignore"), "b.txt\n").unwrap();
        std::fs::write(d.path().join(".dockerignore"), "a.txt\n").unwrap();
        std::fs::write(d.path().join("a.txt"), "a").unwrap();
        std::fs::write(d.path().join("b.txt"), "b").unwrap();
        let n = names(&BuildContext::pack(d.path(), "Dockerfile").unwrap());
        // The root .dockerignore is not sent: an engine that does not know Dockerfile-specific
        // ignore files would apply it.
        assert_eq!(n, vec!["Dockerfile", "Dockerfile.dockerignore", "a.txt"]);
    }

    #[test]
    fn special_files_are_skipped_unopened_and_sparse_files_sent_as_plain_entries() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        let fifo = d.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let _socket = std::os::unix::net::UnixListener::bind(d.path().join("sock")).unwrap();
        let sparse = std::fs::File::create(d.path().join("sparse.img")).unwrap();
        sparse.set_len(64 << 20).unwrap();
        // Opening the FIFO would block this test forever: packing must not.
        let ctx = BuildContext::pack(d.path(), "Dockerfile").unwrap();
        assert_eq!(ctx.skipped, vec!["pipe", "sock"]);
        let tar = ctx.write_tar(Vec::new()).unwrap();
        let mut a = tar::Archive::new(tar.as_slice());
        for e in a.entries().unwrap() {
            let e = e.unwrap();
            assert_ne!(e.header().entry_type(), tar::EntryType::GNUSparse, "{:?}", e.path());
        }
        assert_eq!(names(&ctx), vec!["Dockerfile", "sparse.img"]);
        // The temporary copies skip them as well.
        let copy = tempfile::tempdir().unwrap();
        crate::workspace::copy_tree(d.path(), copy.path()).unwrap();
        assert!(!copy.path().join("pipe").exists() && copy.path().join("sparse.img").is_file());
    }

    #[tokio::test]
    async fn probe_copies_hold_the_context_the_spec_and_the_named_files_only() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::write(p.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(p.join("exercise.toml"), "x").unwrap();
        std::fs::write(p.join(".dockerignore"), "bulk\nnotes.txt\n").unwrap();
        std::fs::create_dir_all(p.join("bulk/deep")).unwrap();
        std::fs::write(p.join("bulk/deep/disk.img"), "big").unwrap();
        std::fs::write(p.join("notes.txt"), "n").unwrap();
        std::fs::write(p.join("main.go"), "package main\n").unwrap();
        let copy = temp_copy_of_context(p, "Dockerfile", &["notes.txt", "../outside"]).await.unwrap();
        let mut got = Vec::new();
        crate::workspace::walk(copy.path(), &mut |e| {
            got.push(e.rel.to_string_lossy().into_owned());
            Ok(true)
        })
        .unwrap();
        assert_eq!(got, vec![".dockerignore", "Dockerfile", "exercise.toml", "main.go", "notes.txt"]);
    }

    #[test]
    fn a_context_over_the_limit_stops_naming_its_largest_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::File::create(d.path().join("disk.img")).unwrap().set_len(3_000_000).unwrap();
        std::fs::write(d.path().join("main.go"), "package main\n").unwrap();
        let err = BuildContext::pack_within(d.path(), "Dockerfile", 1_000_000).unwrap_err().to_string();
        assert!(err.contains("would be 3 MB") && err.contains("disk.img (3.0 MB), Dockerfile (0.0 MB)"), "{err}");
    }

    #[test]
    fn missing_dockerfile_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        assert!(BuildContext::pack(d.path(), "Dockerfile").unwrap_err().to_string().contains("has no Dockerfile"));
    }
}
