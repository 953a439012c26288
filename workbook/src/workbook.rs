//! The workbook on disk: the root folder with `exercises/<id>/` and `solutions/<id>/`, found from
//! `--root`, `GRADER_ROOT`, or by walking up from the current directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::advice::advice;
use crate::exercise::Exercise;
use crate::spec::SPEC_FILE;

#[derive(Debug, Clone)]
pub struct Workbook {
    pub root: PathBuf,
}

impl Workbook {
    /// Finds the workbook root: `explicit`, else `GRADER_ROOT`, else the nearest ancestor of the
    /// current directory that has an `exercises/` folder.
    pub fn find(explicit: Option<&Path>) -> Result<Workbook> {
        if let Some(root) =
            explicit.map(Path::to_path_buf).or_else(|| std::env::var_os("GRADER_ROOT").map(PathBuf::from))
        {
            if !root.join("exercises").is_dir() {
                return Err(advice(format!(
                    "{} has no exercises/ folder: point --root at the workbook",
                    root.display()
                )));
            }
            return Ok(Workbook { root });
        }
        let cwd = std::env::current_dir().context("reading the current directory")?;
        cwd.ancestors().find(|d| d.join("exercises").is_dir()).map(|d| Workbook { root: d.to_path_buf() }).ok_or_else(
            || {
                advice(format!(
                    "no exercises/ folder in {} or above: run the grader inside the workbook, or pass --root",
                    cwd.display()
                ))
            },
        )
    }

    pub fn exercises_dir(&self) -> PathBuf {
        self.root.join("exercises")
    }

    pub fn solution_dir(&self, id: &str) -> PathBuf {
        self.root.join("solutions").join(id)
    }

    /// Every exercise, in natural order (ex2 before ex10).
    pub fn exercises(&self) -> Result<Vec<Exercise>> {
        let dir = self.exercises_dir();
        exercise_ids(&dir)?.iter().map(|id| Exercise::load(&dir.join(id))).collect()
    }

    /// The folders of `exercises/` the grader does not list, each with why: no `exercise.toml`
    /// (deleted or renamed by hand), or a spec that does not load (its error). Hidden folders
    /// (`.git`, editor state) are not exercises and are left out.
    pub fn unlisted(&self) -> Vec<(String, String)> {
        let dir = self.exercises_dir();
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        let mut out: Vec<(String, String)> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|name| !name.starts_with('.'))
            .filter_map(|name| {
                let folder = dir.join(&name);
                if !folder.join(SPEC_FILE).is_file() {
                    return Some((name, format!("no {SPEC_FILE}")));
                }
                Exercise::load(&folder).err().map(|e| (name, format!("its {SPEC_FILE} does not load:\n{e:#}")))
            })
            .collect();
        out.sort_by_key(|(name, _)| natural_key(name));
        out
    }

    /// Every exercise whose spec loads, in natural order, for listings that should show the rest
    /// instead of failing (see [`Workbook::unlisted`]).
    pub fn loadable_exercises(&self) -> Vec<Exercise> {
        let dir = self.exercises_dir();
        exercise_ids(&dir).unwrap_or_default().iter().filter_map(|id| Exercise::load(&dir.join(id)).ok()).collect()
    }

    /// An exercise by id (`ex1`) or by folder path; with neither, the exercise the current
    /// directory is in.
    pub fn exercise(&self, id_or_path: Option<&str>) -> Result<Exercise> {
        let dir = match id_or_path {
            Some(s) if Path::new(s).join(SPEC_FILE).is_file() => PathBuf::from(s),
            Some(id) => self.exercises_dir().join(id),
            None => {
                let cwd = std::env::current_dir()?;
                let inside = cwd.ancestors().find(|d| d.join(SPEC_FILE).is_file()).map(Path::to_path_buf);
                inside.ok_or_else(|| advice("which exercise? Name one (`grader check ex1`) or run inside its folder; `grader list` shows them all"))?
            }
        };
        if !dir.join(SPEC_FILE).is_file() {
            let given = id_or_path.unwrap_or("");
            let path = Path::new(given);
            if path.is_file() {
                return Err(advice(format!(
                    "`{given}` is a file; name an exercise by its id (`grader check ex1`) or its folder (the one \
                     holding {SPEC_FILE})"
                )));
            }
            if path.is_dir() && (given.contains('/') || given.starts_with('.')) {
                return Err(advice(format!(
                    "the folder `{given}` has no {SPEC_FILE}, so it is not an exercise; name an exercise's folder \
                     or its id (`grader list` shows them)"
                )));
            }
            let folder = self.exercises_dir().join(given);
            if !given.is_empty() && !given.contains('/') && folder.is_dir() {
                return Err(advice(format!(
                    "exercises/{given}/ has no {SPEC_FILE}, so the grader does not know how to grade it: was it \
                     deleted or renamed? Restore it with `git checkout -- exercises/{given}/{SPEC_FILE}`"
                )));
            }
            let known = exercise_ids(&self.exercises_dir()).unwrap_or_default();
            let near = known.iter().filter(|k| edit_distance(k, given) <= 2).min_by_key(|k| edit_distance(k, given));
            return Err(advice(format!(
                "there is no exercise `{given}`{} (known: {})",
                near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default(),
                if known.is_empty() { "none".into() } else { known.join(", ") }
            )));
        }
        Exercise::load(&dir)
    }
}

/// The ids of the exercises in `dir` (its folders that hold an `exercise.toml`), in natural
/// order (ex2 before ex10).
pub fn exercise_ids(dir: &Path) -> Result<Vec<String>> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join(SPEC_FILE).is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    ids.sort_by_key(|id| natural_key(id));
    Ok(ids)
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Sort key that orders `ex2` before `ex10`.
pub fn natural_key(name: &str) -> (String, u64, String) {
    let digits_at = name.find(|c: char| c.is_ascii_digit()).unwrap_or(name.len());
    let (prefix, rest) = name.split_at(digits_at);
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    (prefix.to_string(), digits.parse().unwrap_or(0), rest[digits.len()..].to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn edit_distance_counts_single_character_edits() {
        use super::edit_distance;
        assert_eq!(edit_distance("ex1", "ex1"), 0);
        assert_eq!(edit_distance("ex1", "ex11"), 1);
        assert_eq!(edit_distance("ex1", "xe1"), 2);
        assert_eq!(edit_distance("ex10", "hello"), 4);
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["ex10", "ex2", "ex1"];
        v.sort_by_key(|n| super::natural_key(n));
        assert_eq!(v, ["ex1", "ex2", "ex10"]);
    }
}
