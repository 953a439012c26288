//! The whole run as one JSON document (for scripts and classroom tooling). One exercise: its
//! report, with `status`; several: `status`, `score`, `max_score` and `exercises`, a list of
//! such reports. An exercise that could not be graded is `{exercise, status: "error", error}`.

use serde::Serialize;

use super::{GradeError, Graded, Grading, Report, Status};

#[derive(Serialize)]
#[serde(untagged)]
enum Exercise<'a> {
    Done {
        status: Status,
        #[serde(flatten)]
        report: &'a Report,
    },
    Error {
        exercise: &'a str,
        status: Status,
        error: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        max_score: Option<u32>,
    },
}

impl<'a> From<&'a Graded> for Exercise<'a> {
    fn from(g: &'a Graded) -> Exercise<'a> {
        match g {
            Graded::Done(report) => Exercise::Done { status: report.status(), report },
            Graded::Error(GradeError { exercise, message, max_score }) => {
                Exercise::Error { exercise, status: Status::Error, error: message, max_score: *max_score }
            }
        }
    }
}

#[derive(Serialize)]
struct Several<'a> {
    status: Status,
    score: u32,
    max_score: u32,
    exercises: Vec<Exercise<'a>>,
}

pub fn render(grading: &Grading) -> String {
    let text = match grading.exercises.as_slice() {
        [one] => serde_json::to_string_pretty(&Exercise::from(one)),
        all => serde_json::to_string_pretty(&Several {
            status: grading.status(),
            score: grading.score(),
            max_score: grading.max_score(),
            exercises: all.iter().map(Exercise::from).collect(),
        }),
    };
    text.expect("a report always serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use crate::report::{sample, sample_error, Graded, Grading};

    fn parse(g: &Grading) -> serde_json::Value {
        serde_json::from_str(&super::render(g)).unwrap()
    }

    #[test]
    fn one_exercise_is_its_report() {
        let v = parse(&Grading::one(Graded::Done(Box::new(sample()))));
        assert_eq!(v["exercise"], "ex1");
        assert_eq!(v["status"], "fail");
        assert_eq!(v["score"], 15);
        assert_eq!(v["verdicts"][0]["id"], "size");
        assert_eq!(v["verdicts"][0]["passed"], false);
        assert_eq!(v["verdicts"][0]["line"], 1);
    }

    #[test]
    fn an_error_is_a_document_too() {
        let v = parse(&sample_error());
        assert_eq!(v["exercise"], "ex1");
        assert_eq!(v["status"], "error");
        assert!(v["error"].as_str().unwrap().contains("Docker is not running"));
    }

    #[test]
    fn several_exercises_are_one_document() {
        let mut g = sample_error();
        g.exercises.insert(0, Graded::Done(Box::new(sample())));
        let v = parse(&g);
        assert_eq!(v["status"], "error");
        assert_eq!((v["score"].as_u64(), v["max_score"].as_u64()), (Some(15), Some(80)));
        assert_eq!(v["exercises"][0]["verdicts"][1]["id"], "smoke");
        assert_eq!(v["exercises"][1]["status"], "error");
    }
}
