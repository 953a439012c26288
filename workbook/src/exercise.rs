//! An exercise on disk: its id (the folder name), its folder and its spec. Loading reads and
//! validates the spec; nothing else is touched.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::spec::Spec;

/// An exercise on disk: its id (the folder name), folder and spec.
#[derive(Debug, Clone)]
pub struct Exercise {
    pub id: String,
    pub dir: PathBuf,
    pub spec: Spec,
}

impl Exercise {
    /// Files a learner may add that the starter does not have (ignore files): when the pristine
    /// starter lacks one, the starter build leaves it out and `reset --remove-added` removes it.
    pub fn optional_learner_files(&self) -> [String; 2] {
        [".dockerignore".to_string(), format!("{}.dockerignore", self.spec.build.dockerfile)]
    }

    pub fn load(dir: &Path) -> Result<Exercise> {
        // `.` or `sub/..` name no folder: the exercise is named after the folder they lead to.
        let named = match dir.file_name() {
            Some(_) => dir.to_path_buf(),
            None => dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        };
        let id = named
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{} has no usable folder name", dir.display()))?
            .to_string();
        let spec = Spec::load(dir)?;
        Ok(Exercise { id, dir: dir.to_path_buf(), spec })
    }

    pub fn dockerfile_path(&self) -> PathBuf {
        self.dir.join(&self.spec.build.dockerfile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_given_as_dot_or_dot_dot_is_named_after_the_folder_it_leads_to() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("ex1");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let spec = "format_version = 1\ntitle = \"t\"\nlanguage = \"go\"\nbook = \"x.md\"\n\
                    [starter]\nfails = [\"user\"]\n[[check]]\nkind = \"user\"\npoints = 1\n";
        std::fs::write(dir.join("exercise.toml"), spec).unwrap();
        for given in [dir.join("."), dir.join("sub/.."), dir.clone()] {
            let e = Exercise::load(&given).unwrap_or_else(|e| panic!("{}: {e:#}", given.display()));
            assert_eq!(e.id, "ex1", "{}", given.display());
        }
    }
}
