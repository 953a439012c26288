//! The build context: the tar the engine receives.
//!
//! Made by the grader itself from an exercise folder, with the ignore file applied as the docker
//! CLI applies it (`<Dockerfile>.dockerignore` when it exists, else `.dockerignore`), the spec
//! file and the grader's own `.grader/` folder always left out. As with the CLI, the Dockerfile
//! and the ignore file are always sent, so the engine can read them. (Measured on dockerd 20.10:
//! its BuildKit does not apply `.dockerignore` to an uploaded tar, so a Dockerfile the rules
//! exclude is still seen by `COPY . .`, and editing it invalidates that layer. That costs
//! rebuild time, never a verdict.) Headers are deterministic (fixed owner and time, 0644/0755
//! modes) so a copy of the folder yields the same context.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::dockerignore::Dockerignore;
use workbook::spec::SPEC_FILE;

/// Folders and files of the grader's that never enter a context.
const GRADER_OWN: [&str; 2] = [SPEC_FILE, ".grader"];

/// A build context ready to upload.
#[derive(Debug, Clone)]
pub struct BuildContext {
    /// The uncompressed tar.
    pub tar: Vec<u8>,
    /// Every regular file sent, relative path and size, in walk order.
    pub files: Vec<(String, u64)>,
    /// The ignore rules that were applied.
    pub ignore: Dockerignore,
    /// Special files (FIFOs, sockets, devices) left out, never opened: a FIFO opened for
    /// reading blocks until something writes to it.
    pub skipped: Vec<String>,
}

impl BuildContext {
    /// Bytes of file content sent (what the CLI's "transferring context" roughly shows).
    pub fn content_bytes(&self) -> u64 {
        self.files.iter().map(|(_, s)| s).sum()
    }

    /// Packs `dir`, honouring its `.dockerignore`. `dockerfile` is the Dockerfile's path relative
    /// to `dir`; it is always sent.
    pub fn pack(dir: &Path, dockerfile: &str) -> Result<BuildContext> {
        let ignore_file = ignore_file_for(dir, dockerfile);
        let mut ignore = Dockerignore::load_file(&dir.join(&ignore_file))?;
        if !ignore.is_empty() {
            ignore.push(&format!("!{dockerfile}"));
            ignore.push(&format!("!{ignore_file}"));
        }
        if ignore_file != ".dockerignore" {
            // An engine that does not know Dockerfile-specific ignore files would apply this one.
            ignore.push(".dockerignore");
        }
        let mut builder = tar::Builder::new(Vec::new());
        builder.mode(tar::HeaderMode::Deterministic);
        builder.follow_symlinks(false);
        // Plain entries for sparse files: dockerd 20.10 rejects GNU sparse entries ("unhandled
        // tar header type 83") and the whole build fails.
        builder.sparse(false);
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        let limit = max_context_bytes();
        add_tree(dir, &ignore, &mut builder, &mut files, &mut skipped, limit)?;
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
        let tar = builder.into_inner().context("finishing the context tar")?;
        Ok(BuildContext { tar, files, ignore, skipped })
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
}

/// The default of `GRADER_MAX_CONTEXT_MB`: the context is held in memory (and the engine keeps
/// a copy), so a stray disk image in the folder must stop the grading, not the machine.
const DEFAULT_MAX_CONTEXT_MB: u64 = 1000;

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

/// Adds every entry of `root` the ignore rules leave in to the tar, recording regular files.
fn add_tree(
    root: &Path,
    ignore: &Dockerignore,
    builder: &mut tar::Builder<Vec<u8>>,
    files: &mut Vec<(String, u64)>,
    skipped: &mut Vec<String>,
    limit: u64,
) -> Result<()> {
    // Past `limit`, files are only measured (for the message), no longer read.
    let mut total = 0u64;
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
                builder.append_path_with_name(e.path, path).with_context(|| format!("adding {path}"))?;
            }
            return Ok(true);
        }
        if !excluded {
            let size = if e.meta.is_file() { e.meta.len() } else { 0 };
            total = total.saturating_add(size);
            if total <= limit {
                builder.append_path_with_name(e.path, path).with_context(|| format!("adding {path}"))?;
            }
            if e.meta.is_file() {
                files.push((path.to_string(), size));
            }
        }
        Ok(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ctx: &BuildContext) -> Vec<String> {
        let mut a = tar::Archive::new(ctx.tar.as_slice());
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
        assert_eq!(n, vec![".dockerignore", "Dockerfile", "docs/keep.md", "src", "src/main.go"]);
        assert_eq!(ctx.content_bytes(), 24 + 13 + 1 + 12);
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
        let mut a = tar::Archive::new(ctx.tar.as_slice());
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

    #[test]
    fn a_context_over_the_limit_stops_naming_its_largest_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::File::create(d.path().join("disk.img")).unwrap().set_len(3_000_000).unwrap();
        std::fs::write(d.path().join("main.go"), "package main\n").unwrap();
        let mut files = Vec::new();
        let mut builder = tar::Builder::new(Vec::new());
        add_tree(d.path(), &Dockerignore::default(), &mut builder, &mut files, &mut Vec::new(), 1_000_000).unwrap();
        // Measured, but not read past the limit.
        assert!(builder.into_inner().unwrap().len() < 1_000_000);
        assert_eq!(largest(&files, 2), "disk.img (3.0 MB), Dockerfile (0.0 MB)");
    }

    #[test]
    fn missing_dockerfile_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        assert!(BuildContext::pack(d.path(), "Dockerfile").unwrap_err().to_string().contains("has no Dockerfile"));
    }
}
