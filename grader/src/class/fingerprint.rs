//! The fingerprint of one grading's inputs: a SHA-256 over everything grading reads. A re-run of
//! the class skips a (student, exercise) whose fingerprint is the one in the gradebook: the
//! grader's version, the instructor's spec and starter, the build options, and every file of
//! the student's exercise folder (path, kind, executable bit, bytes; symlinks by target). The
//! whole folder, not only what `.dockerignore` lets into the context: `.dockerignore` itself is
//! among the inputs, and hashing a superset can only cause a needless re-grade, never a stale one.

use std::path::Path;

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::workspace::{is_special, walk};

/// Hex SHA-256 of the grading's inputs. `extra` carries what is not a file (grader version,
/// build options).
pub fn of(student_dir: &Path, instructor_dir: &Path, extra: &str) -> Result<String> {
    let mut h = Sha256::new();
    field(&mut h, extra.as_bytes());
    folder(&mut h, b"instructor", instructor_dir)?;
    folder(&mut h, b"student", student_dir)?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Each field is length-prefixed: no two different inputs hash the same stream.
fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

fn folder(h: &mut Sha256, tag: &[u8], dir: &Path) -> Result<()> {
    field(h, tag);
    walk(dir, &mut |e| {
        use std::os::unix::fs::PermissionsExt;
        if is_special(e.meta) {
            return Ok(false);
        }
        field(h, e.rel.as_os_str().as_encoded_bytes());
        if e.meta.is_dir() {
            field(h, b"d");
        } else if e.meta.file_type().is_symlink() {
            field(h, b"l");
            field(h, std::fs::read_link(e.path)?.as_os_str().as_encoded_bytes());
        } else {
            field(h, if e.meta.permissions().mode() & 0o111 != 0 { b"x" } else { b"f" });
            field(h, &std::fs::read(e.path)?);
        }
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn changes_with_any_input_and_only_then() {
        let d = tempfile::tempdir().unwrap();
        let (s, i) = (d.path().join("s"), d.path().join("i"));
        std::fs::create_dir_all(s.join("src")).unwrap();
        std::fs::create_dir_all(&i).unwrap();
        std::fs::write(s.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(i.join("exercise.toml"), "x").unwrap();
        let base = of(&s, &i, "v1").unwrap();
        assert_eq!(base, of(&s, &i, "v1").unwrap(), "stable");
        assert_ne!(base, of(&s, &i, "v2").unwrap(), "grader version");
        std::fs::write(s.join(".dockerignore"), "").unwrap();
        let with_ignore = of(&s, &i, "v1").unwrap();
        assert_ne!(base, with_ignore, "a new empty file");
        std::fs::write(i.join("exercise.toml"), "y").unwrap();
        assert_ne!(with_ignore, of(&s, &i, "v1").unwrap(), "the instructor's spec");
        std::fs::rename(s.join("src"), s.join("src2")).unwrap();
        let renamed = of(&s, &i, "v1").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(s.join("Dockerfile"), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_ne!(renamed, of(&s, &i, "v1").unwrap(), "the executable bit");
    }
}
