//! The gradebook: one row per student, a grade per exercise (with each check's points), as JSON
//! (the record a re-run resumes from) and CSV (for a spreadsheet or an LMS import). Pure: values
//! in, text out; `commands::class` reads and writes the files.

use serde::{Deserialize, Serialize};

use crate::report::Report;

/// Bumped when a field changes meaning; a gradebook of another version is not resumed from.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gradebook {
    pub format_version: u32,
    pub grader_version: String,
    /// The columns: the exercises graded, with their checks, in spec order.
    pub exercises: Vec<ExerciseColumns>,
    pub students: Vec<StudentRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseColumns {
    pub id: String,
    pub max_score: u32,
    pub checks: Vec<CheckColumn>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckColumn {
    pub id: String,
    pub max_points: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudentRow {
    pub student: String,
    /// The folder or repository graded.
    pub source: String,
    pub score: u32,
    pub max_score: u32,
    pub grades: Vec<Grade>,
}

/// One (student, exercise).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grade {
    pub exercise: String,
    /// SHA-256 of the grading's inputs (`fingerprint.rs`); empty when they could not be read.
    pub fingerprint: String,
    /// The engine that graded it (the last one tried).
    pub engine: String,
    /// 1, or 2 when the first engine failed and another one graded it.
    pub attempts: u32,
    /// Wall time of the grading, seconds.
    pub seconds: f64,
    /// Taken from the previous gradebook: the inputs had not changed.
    #[serde(default)]
    pub reused: bool,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Graded: the checks' verdicts.
    Graded { score: u32, max_score: u32, build_seconds: f64, build_failed: bool, checks: Vec<CheckGrade> },
    /// The submission has no folder for the exercise: no points.
    Missing { message: String },
    /// The grader could not do its job (engine gone, network, timeout): no verdict, never a
    /// failed check. A re-run grades it again.
    Error { message: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckGrade {
    pub id: String,
    pub passed: bool,
    pub points: u32,
    pub message: String,
}

impl Outcome {
    pub fn graded(report: &Report) -> Outcome {
        Outcome::Graded {
            score: report.score,
            max_score: report.max_score,
            build_seconds: report.build.seconds,
            build_failed: report.build.failure.is_some(),
            checks: report
                .verdicts
                .iter()
                .map(|v| CheckGrade {
                    id: v.id.clone(),
                    passed: v.passed,
                    points: v.points,
                    message: v.message.clone(),
                })
                .collect(),
        }
    }

    pub fn score(&self) -> u32 {
        match self {
            Outcome::Graded { score, .. } => *score,
            _ => 0,
        }
    }

    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Graded { checks, .. } if checks.iter().all(|c| c.passed))
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Outcome::Error { .. })
    }

    /// One line for the terminal.
    pub fn line(&self) -> String {
        match self {
            Outcome::Graded { score, max_score, checks, build_failed, .. } => {
                let failed: Vec<&str> = checks.iter().filter(|c| !c.passed).map(|c| c.id.as_str()).collect();
                let mut s = format!("{score}/{max_score}");
                if *build_failed {
                    s.push_str(" (build failed)");
                }
                if !failed.is_empty() {
                    s.push_str(&format!(" failed: {}", failed.join(", ")));
                }
                s
            }
            Outcome::Missing { message } => format!("0 ({message})"),
            Outcome::Error { message } => {
                format!("could not grade: {}", message.lines().next().unwrap_or_default())
            }
        }
    }
}

impl StudentRow {
    pub fn new(student: String, source: String, grades: Vec<Grade>, columns: &[ExerciseColumns]) -> StudentRow {
        StudentRow {
            score: grades.iter().map(|g| g.outcome.score()).sum(),
            max_score: columns.iter().map(|c| c.max_score).sum(),
            student,
            source,
            grades,
        }
    }

    pub fn grade(&self, exercise: &str) -> Option<&Grade> {
        self.grades.iter().find(|g| g.exercise == exercise)
    }
}

impl Gradebook {
    /// A previous grade of `student` for `exercise` with the same inputs, unless it was an error.
    pub fn reusable(&self, student: &str, exercise: &str, fingerprint: &str) -> Option<&Grade> {
        if self.format_version != FORMAT_VERSION || fingerprint.is_empty() {
            return None;
        }
        let row = self.students.iter().find(|s| s.student == student)?;
        row.grade(exercise).filter(|g| g.fingerprint == fingerprint && !g.outcome.is_error())
    }
}

/// The JSON document.
pub fn json(book: &Gradebook) -> String {
    serde_json::to_string_pretty(book).expect("a gradebook serializes") + "\n"
}

/// The CSV: `student,total,max,<ex>,<ex>:<check>...,errors`. A check's cell is the points it
/// earned; an exercise that could not be graded reads `error` with empty check cells, so a
/// spreadsheet never averages an infrastructure failure in as a zero.
pub fn csv(book: &Gradebook) -> String {
    let mut header = vec!["student".to_string(), "total".into(), "max".into()];
    for e in &book.exercises {
        header.push(e.id.clone());
        header.extend(e.checks.iter().map(|c| format!("{}:{}", e.id, c.id)));
    }
    header.push("errors".into());
    let mut out = row(&header);
    for s in &book.students {
        let mut cells = vec![s.student.clone(), s.score.to_string(), s.max_score.to_string()];
        let mut errors = Vec::new();
        for e in &book.exercises {
            match s.grade(&e.id).map(|g| &g.outcome) {
                Some(Outcome::Graded { score, checks, .. }) => {
                    cells.push(score.to_string());
                    for c in &e.checks {
                        cells.push(
                            checks.iter().find(|k| k.id == c.id).map(|k| k.points.to_string()).unwrap_or_default(),
                        );
                    }
                }
                Some(Outcome::Missing { .. }) => {
                    cells.push("0".into());
                    cells.extend(e.checks.iter().map(|_| "0".to_string()));
                }
                Some(Outcome::Error { message }) => {
                    cells.push("error".into());
                    cells.extend(e.checks.iter().map(|_| String::new()));
                    errors.push(format!("{}: {}", e.id, message.lines().next().unwrap_or_default()));
                }
                None => cells.extend(std::iter::repeat_n(String::new(), e.checks.len() + 1)),
            }
        }
        cells.push(errors.join("; "));
        out.push_str(&row(&cells));
    }
    out
}

/// One CSV record (RFC 4180 quoting). A cell starting with `=`, `+`, `-` or `@` gets a leading
/// `'`: a student's folder name must not run as a spreadsheet formula.
fn row(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            let c = if c.starts_with(['=', '+', '-', '@']) { format!("'{c}") } else { c.clone() };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect();
    quoted.join(",") + "\n"
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> Gradebook {
        let columns = vec![ExerciseColumns {
            id: "ex1".into(),
            max_score: 30,
            checks: vec![
                CheckColumn { id: "size".into(), max_points: 20 },
                CheckColumn { id: "user".into(), max_points: 10 },
            ],
        }];
        let grade = |outcome: Outcome, seconds: f64| Grade {
            exercise: "ex1".into(),
            fingerprint: "f".into(),
            engine: "unix:///var/run/docker.sock".into(),
            attempts: 1,
            seconds,
            reused: false,
            outcome,
        };
        let check = |id: &str, passed: bool, points: u32| CheckGrade {
            id: id.into(),
            passed,
            points: if passed { points } else { 0 },
            message: format!("{id} message"),
        };
        let graded = |size: bool, user: bool, build_seconds: f64| Outcome::Graded {
            score: if size { 20 } else { 0 } + if user { 10 } else { 0 },
            max_score: 30,
            build_seconds,
            build_failed: false,
            checks: vec![check("size", size, 20), check("user", user, 10)],
        };
        let students = vec![
            StudentRow::new(
                "alice".into(),
                "class/alice".into(),
                vec![grade(graded(true, true, 12.5), 20.0)],
                &columns,
            ),
            StudentRow::new(
                "bob, jr".into(),
                "class/bob".into(),
                vec![grade(graded(false, true, 30.0), 41.0)],
                &columns,
            ),
            StudentRow::new(
                "=cmd".into(),
                "class/x".into(),
                vec![grade(Outcome::Error { message: "the engine stopped answering\nmore".into() }, 3.0)],
                &columns,
            ),
        ];
        Gradebook { format_version: FORMAT_VERSION, grader_version: "0.1.0".into(), exercises: columns, students }
    }

    #[test]
    fn csv_has_a_column_per_exercise_and_check_and_errors_are_not_zeros() {
        assert_eq!(
            csv(&sample()),
            "student,total,max,ex1,ex1:size,ex1:user,errors\n\
             alice,30,30,30,20,10,\n\
             \"bob, jr\",10,30,10,0,10,\n\
             '=cmd,0,30,error,,,ex1: the engine stopped answering\n"
        );
    }

    #[test]
    fn a_grade_is_reused_only_with_the_same_inputs_and_never_an_error() {
        let book: Gradebook = serde_json::from_str(&json(&sample())).unwrap();
        assert!(book.reusable("alice", "ex1", "f").is_some());
        assert!(book.reusable("alice", "ex1", "g").is_none());
        assert!(book.reusable("=cmd", "ex1", "f").is_none(), "an error is graded again");
        assert!(book.reusable("carol", "ex1", "f").is_none());
    }
}
