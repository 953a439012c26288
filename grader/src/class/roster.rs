//! The roster: which submissions a class run grades. Each argument is a folder of student
//! folders, one student's folder, a git repository (URL, or a path ending in `.git`), or a text
//! file listing any of these one per line (`[name] location`, `#` comments). A submission is a
//! workbook checkout (`exercises/<id>/`) or a folder holding `<id>/` directly.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::error::advice;

/// One student's work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The gradebook's row name: the folder's or repository's name, or the roster file's.
    pub name: String,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Folder(PathBuf),
    /// Cloned (shallow, no hooks run, no submodules) into a temporary folder before grading.
    Git(String),
}

impl Location {
    /// As the gradebook shows it.
    pub fn display(&self) -> String {
        match self {
            Location::Folder(p) => p.display().to_string(),
            Location::Git(url) => url.clone(),
        }
    }
}

/// Reads the roster arguments into submissions, in the order given (a folder's students in
/// natural name order). Two submissions with the same name are an error naming both.
pub fn read(args: &[String]) -> Result<Vec<Submission>> {
    let mut out: Vec<Submission> = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if is_git_url(arg) {
            out.push(Submission { name: repo_name(arg), location: Location::Git(arg.clone()) });
        } else if path.is_file() {
            out.extend(read_list(path)?);
        } else if path.is_dir() {
            if is_submission(path) || is_bare_repo(path) {
                out.push(one(path, None));
            } else {
                out.extend(folder_of_students(path)?);
            }
        } else {
            return Err(advice(format!(
                "{arg} is neither a folder, a roster file nor a git URL: give a folder of student \
                 folders, a file listing them, or repository URLs"
            )));
        }
    }
    let mut seen = std::collections::HashMap::new();
    for s in &out {
        if let Some(other) = seen.insert(s.name.clone(), s.location.display()) {
            return Err(advice(format!(
                "two submissions are named `{}` ({other} and {}): name them in a roster file (`name location` per line)",
                s.name,
                s.location.display()
            )));
        }
    }
    if out.is_empty() {
        return Err(advice("the roster names no submission: give a folder of student folders or a roster file"));
    }
    Ok(out)
}

/// Whether a folder is one student's work (rather than a folder of students).
fn is_submission(dir: &Path) -> bool {
    dir.join("exercises").is_dir() || dir.join(".git").exists()
}

fn is_bare_repo(dir: &Path) -> bool {
    dir.extension().is_some_and(|e| e == "git") && dir.join("HEAD").is_file()
}

fn is_git_url(s: &str) -> bool {
    s.contains("://") || (s.starts_with("git@") && s.contains(':'))
}

/// `https://host/org/alice-workbook.git` -> `alice-workbook`.
fn repo_name(url: &str) -> String {
    let last = url.trim_end_matches('/').rsplit(['/', ':']).next().unwrap_or(url);
    last.trim_end_matches(".git").to_string()
}

fn one(path: &Path, name: Option<String>) -> Submission {
    let name = name.unwrap_or_else(|| {
        let base =
            path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.display().to_string());
        base.trim_end_matches(".git").to_string()
    });
    let location = if is_bare_repo(path) {
        Location::Git(path.display().to_string())
    } else {
        Location::Folder(path.to_path_buf())
    };
    Submission { name, location }
}

fn folder_of_students(dir: &Path) -> Result<Vec<Submission>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort_by_key(|n| workbook::natural_key(n));
    Ok(names.iter().map(|n| one(&dir.join(n), None)).collect())
}

/// A roster file: `[name] location` per line; relative paths are relative to the file.
fn read_list(file: &Path) -> Result<Vec<Submission>> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading the roster {}", file.display()))?;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (name, location) = match (words.next(), words.next(), words.next()) {
            (Some(l), None, _) => (None, l),
            (Some(n), Some(l), None) => (Some(n.to_string()), l),
            _ => {
                return Err(advice(format!(
                    "{}:{}: expected `location` or `name location`, got `{line}`",
                    file.display(),
                    n + 1
                )))
            }
        };
        if is_git_url(location) {
            out.push(Submission {
                name: name.unwrap_or_else(|| repo_name(location)),
                location: Location::Git(location.to_string()),
            });
            continue;
        }
        let path = base.join(location);
        if !path.is_dir() {
            return Err(advice(format!("{}:{}: {} is not a folder", file.display(), n + 1, path.display())));
        }
        out.push(one(&path, name));
    }
    Ok(out)
}

/// The folder of exercise `id` in a submission: `exercises/<id>` of a workbook checkout, else
/// `<id>` at its root. `None` when the student has no such folder.
pub fn exercise_dir(root: &Path, id: &str) -> Option<PathBuf> {
    [root.join("exercises").join(id), root.join(id)].into_iter().find(|d| d.is_dir())
}

/// How long a clone may take: a repository of a workbook is small; a hung server must not stall
/// the class.
const CLONE_TIMEOUT: Duration = Duration::from_secs(300);

/// Clones a repository shallowly into `into` (which must not exist). No prompt for
/// credentials (it would wait forever in CI), no submodules, and git runs no hook of the
/// repository's on clone.
pub async fn clone(url: &str, into: &Path) -> Result<()> {
    let mut cmd = tokio::process::Command::new("git");
    cmd.args(["clone", "--quiet", "--depth", "1", "--no-tags", "--"])
        .arg(url)
        .arg(into)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let out = match tokio::time::timeout(CLONE_TIMEOUT, cmd.output()).await {
        Ok(r) => r.context("running git (is git installed?)")?,
        Err(_) => anyhow::bail!("cloning {url} took longer than {} s", CLONE_TIMEOUT.as_secs()),
    };
    if !out.status.success() {
        anyhow::bail!("cloning {url} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_of_students_in_natural_order_and_a_roster_file() {
        let d = tempfile::tempdir().unwrap();
        for s in ["s10", "s2", "s1", ".hidden"] {
            std::fs::create_dir_all(d.path().join("class").join(s).join("exercises/ex1")).unwrap();
        }
        let class = d.path().join("class").display().to_string();
        let names: Vec<String> = read(&[class]).unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["s1", "s2", "s10"]);

        let list = d.path().join("roster.txt");
        std::fs::write(&list, "# period 2\nalice class/s1\nclass/s2\nbob https://git.example/org/bob-wb.git\nhttps://git.example/org/carol.git\n").unwrap();
        let r = read(&[list.display().to_string()]).unwrap();
        let names: Vec<&str> = r.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["alice", "s2", "bob", "carol"]);
        assert_eq!(r[2].location, Location::Git("https://git.example/org/bob-wb.git".into()));
    }

    #[test]
    fn duplicate_names_and_missing_folders_are_errors_that_say_what_to_do() {
        let d = tempfile::tempdir().unwrap();
        for s in ["a/s1", "b/s1"] {
            std::fs::create_dir_all(d.path().join(s).join("exercises")).unwrap();
        }
        let e =
            read(&[d.path().join("a").display().to_string(), d.path().join("b").display().to_string()]).unwrap_err();
        assert!(e.to_string().contains("two submissions are named `s1`"), "{e}");
        let list = d.path().join("r.txt");
        std::fs::write(&list, "x nowhere\n").unwrap();
        let e = read(&[list.display().to_string()]).unwrap_err();
        assert!(e.to_string().contains("r.txt:1:"), "{e}");
    }

    #[test]
    fn an_exercise_is_found_in_a_workbook_checkout_or_at_the_root() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("exercises/ex1")).unwrap();
        std::fs::create_dir_all(d.path().join("ex2")).unwrap();
        assert_eq!(exercise_dir(d.path(), "ex1"), Some(d.path().join("exercises/ex1")));
        assert_eq!(exercise_dir(d.path(), "ex2"), Some(d.path().join("ex2")));
        assert_eq!(exercise_dir(d.path(), "ex3"), None);
    }
}
