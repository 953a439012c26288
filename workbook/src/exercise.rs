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
        let id = dir
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
