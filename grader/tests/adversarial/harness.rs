//! The adversarial set: submissions a determined learner might write, each a small edit of an
//! exercise's starter or solution (`grader/tests/fixtures/submissions/<exercise>/<label>.toml`),
//! labelled with the checks a careful instructor fails it on. Honest alternative styles must
//! pass the check they exercise; cheats and near-misses must fail it.
//!
//! `cargo test` grades the variants marked `slice = true` (cheap ones, on warm caches);
//! `cargo run -p xtask -- adversarial` grades them all and prints the table of false passes and false
//! fails.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{repo, Workspace};

/// One labelled submission.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// `starter` or `solution`: what the edits apply to.
    pub base: String,
    /// `honest`, `cheat` or `near-miss`.
    pub kind: String,
    /// The check kind (or id) the submission is about.
    pub about: String,
    /// Every check id the instructor fails it on (exactly; the others must pass).
    pub failed: Vec<String>,
    /// What it does, in a sentence.
    pub what: String,
    /// Graded in `cargo test` too.
    #[serde(default)]
    pub slice: bool,
    #[serde(default)]
    pub edit: Vec<Edit>,
    #[serde(default)]
    pub write: Vec<Write>,
}

/// Replace `from` (which must occur) with `to` in `file`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub file: String,
    pub from: String,
    pub to: String,
}

/// Write `content` to `file` (created or replaced).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Write {
    pub file: String,
    pub content: String,
}

/// A submission with where it came from.
pub struct Labelled {
    pub exercise: String,
    pub label: String,
    pub sub: Submission,
}

/// Every submission, by exercise and label.
pub fn all() -> Vec<Labelled> {
    let root = repo().join("grader/tests/fixtures/submissions");
    let mut out = Vec::new();
    let mut exercises: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    exercises.sort();
    for dir in exercises {
        let exercise = dir.file_name().unwrap().to_string_lossy().to_string();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "toml")) {
            let text = std::fs::read_to_string(&f).unwrap();
            let sub: Submission = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert!(matches!(sub.base.as_str(), "starter" | "solution"), "{}: base", f.display());
            assert!(matches!(sub.kind.as_str(), "honest" | "cheat" | "near-miss"), "{}: kind", f.display());
            let label = f.file_stem().unwrap().to_string_lossy().to_string();
            out.push(Labelled { exercise: exercise.clone(), label, sub });
        }
    }
    out
}

impl Labelled {
    /// The submission's folder.
    pub fn workspace(&self) -> Workspace {
        let mut w = match self.sub.base.as_str() {
            "starter" => Workspace::starter(&self.exercise),
            _ => Workspace::solution(&self.exercise),
        };
        for e in &self.sub.edit {
            w = w.edit(&e.file, &e.from, &e.to);
        }
        for wr in &self.sub.write {
            let p: &Path = &w.path().join(&wr.file);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, &wr.content).unwrap();
        }
        w
    }
}

/// One graded submission: what the instructor expects and what the grader said.
pub struct Row {
    pub name: String,
    pub kind: String,
    pub about: String,
    pub what: String,
    pub expected: Vec<String>,
    pub got: Vec<String>,
    pub code: i32,
    pub seconds: f64,
    /// Messages of the checks the grader got wrong.
    pub notes: Vec<String>,
}

impl Row {
    /// Checks the instructor fails that the grader passed.
    pub fn false_passes(&self) -> Vec<&String> {
        self.expected.iter().filter(|c| !self.got.contains(c)).collect()
    }

    /// Checks the grader failed that the instructor passes.
    pub fn false_fails(&self) -> Vec<&String> {
        self.got.iter().filter(|c| !self.expected.contains(c)).collect()
    }

    pub fn agrees(&self) -> bool {
        self.false_passes().is_empty() && self.false_fails().is_empty() && self.code == expected_code(&self.expected)
    }
}

fn expected_code(failed: &[String]) -> i32 {
    if failed.is_empty() {
        0
    } else {
        1
    }
}

/// Grades one submission.
pub fn grade(l: &Labelled) -> Row {
    let w = l.workspace();
    let started = std::time::Instant::now();
    let g = w.check();
    let got = g.failed();
    let mut notes = Vec::new();
    for v in g.verdicts() {
        let id = v["id"].as_str().unwrap_or("").to_string();
        if (v["passed"] == false) != l.sub.failed.contains(&id) {
            notes.push(format!("{id}: {}", v["message"].as_str().unwrap_or("")));
        }
    }
    if g.code == 2 {
        notes.push(format!("could not grade: {}", g.stderr.lines().last().unwrap_or("")));
    }
    Row {
        name: format!("{}/{}", l.exercise, l.label),
        kind: l.sub.kind.clone(),
        about: l.sub.about.clone(),
        what: l.sub.what.clone(),
        expected: l.sub.failed.clone(),
        got,
        code: g.code,
        seconds: started.elapsed().as_secs_f64(),
        notes,
    }
}

/// The markdown table of a run.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| submission | kind | about | instructor fails | grader fails | false passes | false fails | s |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let list = |v: &[String]| if v.is_empty() { "-".to_string() } else { v.join(", ") };
        let refs = |v: Vec<&String>| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.into_iter().cloned().collect::<Vec<_>>().join(", ")
            }
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.0} |\n",
            r.name,
            r.kind,
            r.about,
            list(&r.expected),
            if r.code == 2 { "exit 2".to_string() } else { list(&r.got) },
            refs(r.false_passes()),
            refs(r.false_fails()),
            r.seconds
        ));
    }
    s
}

/// Grades the submissions `pick` selects, ordered by `order` (stable), printing a line for each
/// as it is graded.
pub fn run(pick: impl Fn(&Labelled) -> bool, order: impl Fn(&Labelled) -> usize) -> Vec<Row> {
    let mut picked: Vec<Labelled> = all().into_iter().filter(|l| pick(l)).collect();
    picked.sort_by_key(|l| order(l));
    let rows: Vec<Row> = picked
        .iter()
        .map(|l| {
            let row = grade(l);
            eprintln!(
                "graded {} in {:.0} s: {}",
                row.name,
                row.seconds,
                if row.agrees() { "agrees" } else { "DISAGREES" }
            );
            row
        })
        .collect();
    rows
}

pub fn assert_all_agree(rows: &[Row]) {
    let wrong: Vec<String> = rows
        .iter()
        .filter(|r| !r.agrees())
        .map(|r| format!("{} ({}):\n  {}", r.name, r.what, r.notes.join("\n  ")))
        .collect();
    assert!(wrong.is_empty(), "{}\n{}", table(rows), wrong.join("\n"));
}
