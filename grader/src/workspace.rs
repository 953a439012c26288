//! Temporary copies of an exercise folder: for cache probes (which edit files) and for grading
//! a reference solution overlaid on the exercise. The learner's own files are never written.

use std::path::Path;

use anyhow::{Context, Result};

/// Copies `src` into `dst` (which must exist), recursively; symlinks are copied as links.
pub fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    for entry in std::fs::read_dir(src).with_context(|| format!("reading {}", src.display()))? {
        let entry = entry?;
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let meta = from.symlink_metadata().with_context(|| format!("reading {}", from.display()))?;
        if meta.is_dir() {
            std::fs::create_dir_all(&to).with_context(|| format!("creating {}", to.display()))?;
            copy_tree(&from, &to)?;
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&from)?;
            let _ = std::fs::remove_file(&to);
            std::os::unix::fs::symlink(target, &to).with_context(|| format!("linking {}", to.display()))?;
        } else {
            std::fs::copy(&from, &to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
        }
    }
    Ok(())
}

/// A fresh temporary directory holding a copy of `src`.
pub fn temp_copy(src: &Path) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("grader-").tempdir().context("creating a temporary directory")?;
    copy_tree(src, dir.path())?;
    Ok(dir)
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
    fn copies_are_deep_and_edits_touch_only_the_copy() {
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir(src.path().join("cmd")).unwrap();
        std::fs::write(src.path().join("cmd/main.go"), "package main\n").unwrap();
        std::os::unix::fs::symlink("cmd/main.go", src.path().join("link.go")).unwrap();
        let copy = temp_copy(src.path()).unwrap();
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
