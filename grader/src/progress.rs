//! The learner's progress, remembered between runs: `.grader-state.toml` in the workbook root.
//! The grader's own file (never the learner's work): `check` and `watch` record each exercise's
//! last verdict and score, `hint` how far up each hint ladder the learner went. Ignored by git
//! through the workbook's `.gitignore`; deleting it forgets the progress and nothing else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The state file's name in the workbook root.
pub const STATE_FILE: &str = ".grader-state.toml";

/// The only format version this grader writes; a file of another version is started afresh.
pub const FORMAT_VERSION: u32 = 1;

/// The ladder key of the exercise-wide hints (the others are check ids).
pub const EXERCISE_LADDER: &str = "exercise";

/// The whole state file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// 1. Bumped when a change would make older graders misread the file.
    pub format_version: u32,
    /// By exercise id.
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseProgress>,
}

/// What the grader remembers of one exercise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExerciseProgress {
    /// The last grading (`grader check` or `grader watch`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<LastGrade>,
    /// Whether a grading ever passed every check (this unlocks `grader solution`).
    #[serde(default)]
    pub passed_once: bool,
    /// How many hints of each ladder `grader hint` revealed, by check id (`exercise` for the
    /// exercise-wide ladder).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hints: BTreeMap<String, usize>,
}

/// One grading's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastGrade {
    pub score: u32,
    pub max_score: u32,
    /// The checks that failed, in the report's order (empty: passed).
    pub failing: Vec<String>,
    /// The build itself failed.
    #[serde(default)]
    pub build_failed: bool,
    /// When, in UTC (RFC 3339).
    pub at: String,
}

impl LastGrade {
    pub fn passed(&self) -> bool {
        self.failing.is_empty() && !self.build_failed
    }
}

/// The state file of the workbook at `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(STATE_FILE)
}

impl Progress {
    /// Reads the state; a missing file is a first visit, and an unreadable or foreign one is
    /// started afresh (it holds nothing that cannot be made again), with a note on stderr.
    pub fn load(root: &Path) -> Progress {
        let file = path(root);
        let fresh = Progress { format_version: FORMAT_VERSION, exercises: BTreeMap::new() };
        let Ok(text) = std::fs::read_to_string(&file) else { return fresh };
        match toml::from_str::<Progress>(&text) {
            Ok(p) if p.format_version == FORMAT_VERSION => p,
            _ => {
                eprintln!("note: {} is not a state file this grader reads; starting afresh", file.display());
                fresh
            }
        }
    }

    /// Writes the state (to a temporary file renamed over the old one, so a crash never
    /// leaves half a file).
    pub fn save(&self, root: &Path) -> Result<()> {
        let file = path(root);
        let mut text = String::from(
            "# The grader's memory of your progress: last verdicts and scores (grader list), hints\n\
             # revealed (grader hint). Written by the grader; safe to delete (that forgets it all).\n",
        );
        text.push_str(&toml::to_string(self).context("serialising the progress")?);
        let tmp = root.join(format!("{STATE_FILE}.tmp"));
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &file).with_context(|| format!("writing {}", file.display()))
    }

    pub fn exercise(&self, id: &str) -> Option<&ExerciseProgress> {
        self.exercises.get(id)
    }

    pub fn exercise_mut(&mut self, id: &str) -> &mut ExerciseProgress {
        self.exercises.entry(id.to_string()).or_default()
    }

    /// Records a grading's verdict.
    pub fn record(&mut self, id: &str, grade: LastGrade) {
        let e = self.exercise_mut(id);
        e.passed_once |= grade.passed();
        e.last = Some(grade);
    }

    /// Whether any exercise was ever graded.
    pub fn started(&self) -> bool {
        self.exercises.values().any(|e| e.last.is_some())
    }

    pub fn passed(&self, id: &str) -> bool {
        self.exercise(id).and_then(|e| e.last.as_ref()).is_some_and(LastGrade::passed)
    }

    /// The exercise to do next: the first not passing after `after` in `ids`' order, else the
    /// first not passing at all.
    pub fn next<'a>(&self, ids: &'a [String], after: Option<&str>) -> Option<&'a str> {
        let start = after.and_then(|a| ids.iter().position(|i| i == a)).map_or(0, |p| p + 1);
        ids[start..].iter().chain(&ids[..start]).find(|id| !self.passed(id)).map(String::as_str)
    }
}

/// Now, in UTC, RFC 3339 to the second.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(failing: &[&str]) -> LastGrade {
        LastGrade {
            score: 10,
            max_score: 100,
            failing: failing.iter().map(|s| s.to_string()).collect(),
            build_failed: false,
            at: "2026-12-07T15:00:00Z".into(),
        }
    }

    #[test]
    fn round_trips_and_remembers_a_pass() {
        let d = tempfile::tempdir().unwrap();
        let mut p = Progress::load(d.path());
        assert!(!p.started());
        p.record("ex1", grade(&[]));
        p.record("ex1", grade(&["size"]));
        p.exercise_mut("ex1").hints.insert("size".into(), 2);
        p.save(d.path()).unwrap();
        let q = Progress::load(d.path());
        assert_eq!(p, q);
        assert!(q.exercise("ex1").unwrap().passed_once && !q.passed("ex1"));
    }

    #[test]
    fn a_broken_file_starts_afresh() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(path(d.path()), "not = [toml").unwrap();
        assert!(!Progress::load(d.path()).started());
    }

    #[test]
    fn next_is_the_first_not_passed_after() {
        let ids: Vec<String> = ["ex1", "ex2", "ex3"].iter().map(|s| s.to_string()).collect();
        let mut p = Progress::default();
        assert_eq!(p.next(&ids, None), Some("ex1"));
        p.record("ex2", grade(&[]));
        assert_eq!(p.next(&ids, Some("ex1")), Some("ex3"));
        p.record("ex3", grade(&[]));
        assert_eq!(p.next(&ids, Some("ex2")), Some("ex1"));
        p.record("ex1", grade(&[]));
        assert_eq!(p.next(&ids, None), None);
    }
}
