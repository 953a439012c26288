//! `.grader-lint.toml`: project-wide lint settings, found next to the Dockerfile or in a parent
//! directory (the nearest wins).
//!
//! ```toml
//! # Rules to skip everywhere, by id or name.
//! ignore = ["GR004", "dependency-cache-mount"]
//! # The stage treated as final, as with `docker build --target` (optional).
//! target = "runtime"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file name looked for.
pub const FILE_NAME: &str = ".grader-lint.toml";

/// The contents of a `.grader-lint.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Rules to skip everywhere, by id (`GR004`) or name (`apt-no-install-recommends`).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The stage treated as final (name or index).
    #[serde(default)]
    pub target: Option<String>,
}

/// A config file that could not be read or is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

impl LintConfig {
    /// Parses and validates the text of a config file (every ignored rule must exist).
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: LintConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        for key in &config.ignore {
            if super::rule(key).is_none() {
                let known: Vec<&str> = super::rules().iter().map(|r| r.id).collect();
                return Err(format!("unknown rule {key:?} in `ignore` (known rules: {})", known.join(", ")));
            }
        }
        Ok(config)
    }

    /// Reads and parses one file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let err = |message: String| ConfigError { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("reading: {e}")))?;
        Self::parse(&text).map_err(err)
    }
}

/// Finds the `.grader-lint.toml` that applies to `dockerfile`: in its directory or the nearest
/// parent. Returns the file's path and contents, or `None` when there is none.
pub fn find(dockerfile: &Path) -> Result<Option<(PathBuf, LintConfig)>, ConfigError> {
    let start = dockerfile.parent().unwrap_or(Path::new("."));
    let start = if start.as_os_str().is_empty() { Path::new(".") } else { start };
    let absolute = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    for dir in absolute.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return LintConfig::load(&candidate).map(|c| Some((candidate, c)));
        }
    }
    Ok(None)
}
