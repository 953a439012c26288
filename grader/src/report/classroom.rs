//! GitHub Classroom: the result JSON that `classroom-resources/autograding-grading-reporter`
//! reads (base64-encoded, from a step output). Shaped by what that reporter's code does with
//! it (`src/console-results.js`, `src/notify-classroom.js`, `src/helpers/test-helpers.js`):
//! - the points Classroom records are the sum of the tests' `score` over the document's
//!   `max_score`: weighted, as `grader check` counts them;
//! - the log prints `name`, then ` - line N` unless `line_no` is 0 (so it is always a number,
//!   0 when no line is to blame), then `test_code` whatever the status: the only text students
//!   see for a passed or failed test, so it carries the points, the explanation and the hint;
//!   `message` is printed for an `error` test only;
//! - its own "Total points for <runner>" line counts passed tests × `max_score`, not points: the
//!   template also shows the grader's table, and the reporter's notice has the weighted total;
//! - a document with `max_score` 0 records nothing: what an error run writes, so a broken
//!   runner is never recorded as a student's 0.

use serde::Serialize;

use super::{GradeError, Graded, Grading, Report, Status};

#[derive(Serialize)]
struct Document {
    version: u32,
    status: Status,
    max_score: u32,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    status: Status,
    score: u32,
    max_score: u32,
    /// 0 when no line is to blame (the reporter prints ` - line N` for anything else).
    line_no: usize,
    filename: String,
    message: String,
    test_code: String,
}

pub fn render(grading: &Grading) -> String {
    let mut tests = Vec::new();
    for g in &grading.exercises {
        match g {
            Graded::Done(r) => tests.extend(report_tests(r)),
            Graded::Error(e) => tests.push(error_test(e)),
        }
    }
    let status = grading.status();
    // An error anywhere records nothing: the run is to be repeated, not scored.
    let max_score = if status == Status::Error { 0 } else { grading.max_score() };
    let doc = Document { version: 1, status, max_score, tests };
    serde_json::to_string(&doc).expect("serializes") + "\n"
}

fn report_tests(r: &Report) -> Vec<Test> {
    let mut tests = Vec::new();
    if let Some(f) = &r.build.failure {
        // Worth no points of its own: it says why the checks that need the image got none.
        tests.push(Test {
            name: format!("{} build", r.exercise),
            status: Status::Fail,
            score: 0,
            max_score: 0,
            line_no: f.line.unwrap_or(0),
            filename: r.dockerfile.clone(),
            message: f.text(&r.dockerfile),
            test_code: f.text(&r.dockerfile),
        });
    }
    for v in &r.verdicts {
        let mut text = format!("{}/{} points: {}", v.points, v.max_points, v.message);
        if let Some(line) = v.line {
            text.push_str(&format!("\n{}:{line}", r.dockerfile));
        }
        for d in &v.details {
            text.push_str(&format!("\n{d}"));
        }
        if !v.passed {
            if let Some(h) = v.hints.first() {
                text.push_str(&format!("\nhint: {h}"));
            }
            text.push_str(&format!("\nmore: grader hint {} · book/src/{}", r.exercise, v.book));
        }
        tests.push(Test {
            name: format!("{} {}", r.exercise, v.id),
            status: if v.passed { Status::Pass } else { Status::Fail },
            score: v.points,
            max_score: v.max_points,
            line_no: v.line.unwrap_or(0),
            filename: r.dockerfile.clone(),
            message: text.clone(),
            test_code: text,
        });
    }
    tests
}

fn error_test(e: &GradeError) -> Test {
    let message = format!(
        "could not grade {}: {}\nThis is the grader's failure, not the student's: no points were recorded.",
        e.exercise, e.message
    );
    Test {
        name: format!("{} grading", e.exercise),
        status: Status::Error,
        score: 0,
        max_score: e.max_score.unwrap_or(0),
        line_no: 0,
        filename: String::new(),
        test_code: message.clone(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::report::{sample, sample_build_failed, sample_error, Graded, Grading};

    fn one(r: crate::report::Report) -> Value {
        serde_json::from_str(&super::render(&Grading::one(Graded::Done(Box::new(r))))).unwrap()
    }

    /// Every field the reporter reads, with the type it needs.
    fn well_typed(test: &Value) {
        assert!(test["name"].is_string(), "{test}");
        assert!(["pass", "fail", "error"].contains(&test["status"].as_str().unwrap()), "{test}");
        assert!(test["score"].is_u64() && test["max_score"].is_u64() && test["line_no"].is_u64(), "{test}");
        assert!(test["message"].is_string() && test["test_code"].is_string(), "{test}");
    }

    #[test]
    fn fail_field_by_field() {
        let v = one(sample());
        assert_eq!(
            (v["version"].as_u64(), v["status"].as_str(), v["max_score"].as_u64()),
            (Some(1), Some("fail"), Some(40))
        );
        let tests = v["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 2);
        tests.iter().for_each(well_typed);
        let size = &tests[0];
        assert_eq!((size["name"].as_str(), size["status"].as_str()), (Some("ex1 size"), Some("fail")));
        assert_eq!(
            (size["score"].as_u64(), size["max_score"].as_u64(), size["line_no"].as_u64()),
            (Some(0), Some(25), Some(1))
        );
        assert_eq!(size["filename"], "exercises/ex1/Dockerfile");
        let shown = size["test_code"].as_str().unwrap();
        assert!(shown.starts_with("0/25 points: 812 MB of layer content"), "{shown}");
        assert!(shown.contains("hint: Build in one stage"), "{shown}");
        let smoke = &tests[1];
        assert_eq!(
            (smoke["score"].as_u64(), smoke["line_no"].as_u64()),
            (Some(15), Some(0)),
            "no null where a number goes"
        );
        // What Classroom records: the sum of the scores over max_score, the grader's own total.
        let sum: u64 = tests.iter().map(|t| t["score"].as_u64().unwrap()).sum();
        assert_eq!(sum, 15);
    }

    #[test]
    fn pass_field_by_field() {
        let mut r = sample();
        r.verdicts.retain(|v| v.passed);
        r.max_score = 15;
        let v = one(r);
        assert_eq!((v["status"].as_str(), v["max_score"].as_u64()), (Some("pass"), Some(15)));
        let t = &v["tests"][0];
        well_typed(t);
        assert_eq!(
            (t["name"].as_str(), t["status"].as_str(), t["score"].as_u64()),
            (Some("ex1 smoke"), Some("pass"), Some(15))
        );
        assert!(!t["test_code"].as_str().unwrap().contains("hint"), "no hint for a pass");
    }

    #[test]
    fn a_build_failure_is_a_test_on_its_line_with_the_output() {
        let v = one(sample_build_failed());
        let build = &v["tests"][0];
        well_typed(build);
        assert_eq!(
            (build["name"].as_str(), build["line_no"].as_u64(), build["max_score"].as_u64()),
            (Some("ex1 build"), Some(11), Some(0))
        );
        let shown = build["test_code"].as_str().unwrap();
        assert!(
            shown.contains("RUN go biuld") && shown.contains("unknown command \"biuld\"") && shown.contains("hint:"),
            "{shown}"
        );
        assert_eq!(v["max_score"], 40, "the build counts no points of its own");
    }

    #[test]
    fn error_field_by_field() {
        let v: Value = serde_json::from_str(&super::render(&sample_error())).unwrap();
        assert_eq!((v["status"].as_str(), v["max_score"].as_u64()), (Some("error"), Some(0)), "records nothing");
        let t = &v["tests"][0];
        well_typed(t);
        assert_eq!(
            (t["name"].as_str(), t["status"].as_str(), t["score"].as_u64()),
            (Some("ex1 grading"), Some("error"), Some(0))
        );
        assert!(t["message"].as_str().unwrap().contains("Docker is not running"));
    }

    #[test]
    fn several_exercises_name_theirs() {
        let mut g = Grading::one(Graded::Done(Box::new(sample())));
        let mut ex2 = sample();
        ex2.exercise = "ex2".into();
        g.exercises.push(Graded::Done(Box::new(ex2)));
        let v: Value = serde_json::from_str(&super::render(&g)).unwrap();
        let names: Vec<&str> = v["tests"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["ex1 size", "ex1 smoke", "ex2 size", "ex2 smoke"]);
        assert_eq!(v["max_score"], 80);
    }
}
