//! Folders on disk: the one directory walker, and temporary copies of an exercise folder (for
//! cache probes, which edit files, and for grading a reference solution overlaid on the
//! exercise). The learner's own files are never written here.

use std::path::Path;

use anyhow::{Context, Result};

/// One entry of a [`walk`].
pub struct Entry<'a> {
    /// The entry itself.
    pub path: &'a Path,
    /// Its path relative to the walked folder.
    pub rel: &'a Path,
    /// Its metadata, symlinks not followed.
    pub meta: &'a std::fs::Metadata,
}

/// The one directory walker: visits every entry under `root` depth-first, in name order, a
/// folder before what it holds; `visit` returns whether to go into a folder (its answer for
/// other entries is ignored). Symlinks are reported, never followed.
pub fn walk(root: &Path, visit: &mut dyn FnMut(&Entry<'_>) -> Result<bool>) -> Result<()> {
    walk_in(root, Path::new(""), visit)
}

fn walk_in(root: &Path, rel: &Path, visit: &mut dyn FnMut(&Entry<'_>) -> Result<bool>) -> Result<()> {
    let dir = root.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("reading {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let rel = rel.join(entry.file_name());
        let meta = path.symlink_metadata().with_context(|| format!("reading {}", path.display()))?;
        let descend = visit(&Entry { path: &path, rel: &rel, meta: &meta })?;
        if meta.is_dir() && descend {
            walk_in(root, &rel, visit)?;
        }
    }
    Ok(())
}

/// Copies `src` into `dst` (which must exist), recursively; symlinks are copied as links.
/// Special files (FIFOs, sockets, devices) are skipped, never opened: opening a FIFO for
/// reading blocks until a writer comes, which in a learner's folder is never.
pub fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    walk(src, &mut |e| {
        copy_entry(e.path, &dst.join(e.rel))?;
        Ok(!is_special(e.meta))
    })
}

/// Copies one entry: a folder is created (not filled), a symlink copied as a link, a regular
/// file copied with its permissions; missing parent folders are created; a special file is
/// skipped unopened.
pub fn copy_entry(from: &Path, to: &Path) -> Result<()> {
    let meta = from.symlink_metadata().with_context(|| format!("reading {}", from.display()))?;
    if is_special(&meta) {
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    if meta.is_dir() {
        std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
        // The folder's own mode (the context's headers carry it), writable by us to be filled.
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode((meta.permissions().mode() & 0o7777) | 0o700);
        std::fs::set_permissions(to, mode).with_context(|| format!("creating {}", to.display()))?;
    } else if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from)?;
        let _ = std::fs::remove_file(to);
        std::os::unix::fs::symlink(target, to).with_context(|| format!("linking {}", to.display()))?;
    } else {
        std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Whether every file under `pristine` has the same bytes at the same place under `dir`.
pub fn same_files(pristine: &Path, dir: &Path) -> Result<bool> {
    let mut same = true;
    walk(pristine, &mut |e| {
        let there = dir.join(e.rel);
        if e.meta.is_dir() {
            same &= there.is_dir();
        } else if is_special(e.meta)
            || there.symlink_metadata().is_ok_and(|m| is_special(&m))
            || std::fs::read(e.path)? != std::fs::read(&there).unwrap_or_default()
        {
            same = false;
        }
        Ok(same)
    })?;
    Ok(same)
}

/// Whether an entry is neither a folder, a regular file nor a symlink: a FIFO, a socket or a
/// device, which the grader never opens.
pub fn is_special(meta: &std::fs::Metadata) -> bool {
    let t = meta.file_type();
    !(t.is_dir() || t.is_file() || t.is_symlink())
}

/// A fresh temporary directory holding a copy of `src`; the copy runs on a blocking thread,
/// off the async runtime (whose threads must stay free to see Ctrl-C and drive the engine).
pub async fn temp_copy(src: &Path) -> Result<tempfile::TempDir> {
    let src = src.to_path_buf();
    off_runtime(move || {
        let dir = tempfile::Builder::new().prefix("grader-").tempdir().context("creating a temporary directory")?;
        copy_tree(&src, dir.path())?;
        Ok(dir)
    })
    .await
}

/// The largest Dockerfile the grader reads (the engine's own limit on one line is 64 KiB).
pub const MAX_DOCKERFILE_BYTES: u64 = 1 << 20;

/// Reads `rel` inside `dir` as text, only when it is a regular file that stays inside `dir`
/// once symlinks are resolved and is at most `limit` bytes: a Dockerfile linked to /etc/shadow
/// must not be read (lint and the report would print its lines), one linked to /dev/zero or a
/// FIFO would never end.
pub fn read_inside(dir: &Path, rel: &str, limit: u64) -> Result<String> {
    let shown = dir.join(rel);
    let root = dir.canonicalize().with_context(|| format!("reading {}", dir.display()))?;
    let real = match shown.canonicalize() {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(workbook::advice(format!(
                "{} does not exist{}: create it, or put the starter's back with `grader reset`",
                shown.display(),
                if shown.symlink_metadata().is_ok() { " (it is a link to nothing)" } else { "" }
            )))
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", shown.display())),
    };
    if !real.starts_with(&root) {
        return Err(workbook::advice(format!(
            "{} leads outside the exercise folder (to {}): the grader reads only files inside the exercise. \
             Put the file itself in the folder.",
            shown.display(),
            real.display()
        )));
    }
    let meta = real.metadata().with_context(|| format!("reading {}", shown.display()))?;
    if !meta.is_file() {
        return Err(workbook::advice(format!(
            "{} is not a regular file (a folder, pipe or device): replace it with the file itself.",
            shown.display()
        )));
    }
    if meta.len() > limit {
        return Err(workbook::advice(format!(
            "{} is {} bytes, over the grader's limit of {limit} bytes: is it really the file you meant?",
            shown.display(),
            meta.len()
        )));
    }
    let bytes = std::fs::read(&real).with_context(|| format!("reading {}", shown.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        workbook::advice(format!(
            "{} is not UTF-8 text (byte {} is not): save it as UTF-8 in your editor",
            shown.display(),
            e.utf8_error().valid_up_to() + 1
        ))
    })
}

/// Runs blocking file work on tokio's blocking pool.
pub async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.context("a file task of the grader failed")?
}

/// Appends a harmless line to a file, in a form the file's language ignores (a comment, or
/// whitespace for JSON and lock files), so the file's content and checksum change but its
/// meaning does not. The edit carries `nonce` (the run id): an edit identical to an earlier
/// run's would find that run's probe build in the build cache and fake a cache hit.
pub fn append_harmless_edit(path: &Path, nonce: &str) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let line = match ext {
        "go" | "mod" | "rs" | "ts" | "js" | "mjs" | "cjs" | "java" | "c" | "h" | "cc" | "cpp" | "kt" => {
            format!("\n// grader cache probe {nonce}\n")
        }
        "json" | "lock" | "sum" if name != "Cargo.lock" => format!("\n{}\n", whitespace_code(nonce)),
        "html" | "htm" | "xml" => format!("\n<!-- grader cache probe {nonce} -->\n"),
        "css" => format!("\n/* grader cache probe {nonce} */\n"),
        _ => format!("\n# grader cache probe {nonce}\n"),
    };
    use std::io::Write;
    let mut f =
        std::fs::OpenOptions::new().append(true).open(path).with_context(|| format!("opening {}", path.display()))?;
    f.write_all(line.as_bytes()).with_context(|| format!("editing {}", path.display()))
}

/// `nonce` spelled in spaces and tabs (4 per byte, 2 bits each), for files that allow nothing
/// but whitespace after their content.
fn whitespace_code(nonce: &str) -> String {
    nonce
        .bytes()
        .flat_map(|b| {
            (0..4).map(move |i| match (b >> (i * 2)) & 3 {
                0 => "  ",
                1 => " \t",
                2 => "\t ",
                _ => "\t\t",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_inside_refuses_links_out_of_the_folder_special_files_and_huge_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile.real"), "FROM scratch\n").unwrap();
        std::os::unix::fs::symlink("Dockerfile.real", d.path().join("Dockerfile")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("Outside")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", d.path().join("Zero")).unwrap();
        std::fs::write(d.path().join("Big"), vec![b'#'; 2000]).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(d.path().join("Pipe")).status().unwrap().success());
        assert_eq!(read_inside(d.path(), "Dockerfile", 1000).unwrap(), "FROM scratch\n");
        let err = |rel: &str| read_inside(d.path(), rel, 1000).unwrap_err().to_string();
        assert!(err("Outside").contains("outside the exercise"), "{}", err("Outside"));
        assert!(err("Zero").contains("outside the exercise"), "{}", err("Zero"));
        assert!(err("Pipe").contains("not a regular file"), "{}", err("Pipe"));
        assert!(err("Big").contains("over the grader's limit"), "{}", err("Big"));
        assert!(err("../x").contains("does not exist"), "{}", err("../x"));
    }

    #[tokio::test]
    async fn copies_are_deep_and_edits_touch_only_the_copy() {
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir(src.path().join("cmd")).unwrap();
        std::fs::write(src.path().join("cmd/main.go"), "package main\n").unwrap();
        std::os::unix::fs::symlink("cmd/main.go", src.path().join("link.go")).unwrap();
        let copy = temp_copy(src.path()).await.unwrap();
        append_harmless_edit(&copy.path().join("cmd/main.go"), "0a1b2c").unwrap();
        assert_eq!(std::fs::read_to_string(src.path().join("cmd/main.go")).unwrap(), "package main\n");
        assert!(std::fs::read_to_string(copy.path().join("cmd/main.go"))
            .unwrap()
            .ends_with("// grader cache probe 0a1b2c\n"));
        assert!(copy.path().join("link.go").symlink_metadata().unwrap().file_type().is_symlink());
    }

    #[test]
    fn json_gets_whitespace_only_and_each_run_a_different_one() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("package.json");
        let edited = |nonce: &str| {
            std::fs::write(&p, "{\"name\":\"x\"}").unwrap();
            append_harmless_edit(&p, nonce).unwrap();
            std::fs::read_to_string(&p).unwrap()
        };
        let (a, b) = (edited("0a1b2c"), edited("0a1b2d"));
        assert!(serde_json::from_str::<serde_json::Value>(&a).is_ok());
        assert!(a[12..].chars().all(char::is_whitespace));
        assert_ne!(a, b);
    }
}
