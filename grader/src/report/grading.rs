//! One run of `grader check`: a report per exercise asked for, in order, or the error that kept
//! the grader from grading it. Every renderer takes the whole run, so a run of several
//! exercises is one document, and a run that could not grade still is one.

use serde::Serialize;

use super::Report;

/// How a run, or one exercise of it, came out. Ordered from best to worst: the run's status
/// (and exit code) is the worst of its exercises'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check passed (exit 0).
    Pass,
    /// A check failed (exit 1).
    Fail,
    /// The grader could not grade (exit 2): never the learner's failure.
    Error,
}

/// An exercise the grader could not grade.
#[derive(Debug, Clone, Serialize)]
pub struct GradeError {
    /// The exercise as it was asked for (an id or a folder).
    pub exercise: String,
    /// The error with its causes and what to do, as the terminal shows it.
    pub message: String,
    /// The points the exercise is worth, when its spec could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_score: Option<u32>,
}

/// One exercise of a run.
#[derive(Debug, Clone)]
pub enum Graded {
    Done(Box<Report>),
    Error(GradeError),
}

impl Graded {
    pub fn exercise(&self) -> &str {
        match self {
            Graded::Done(r) => &r.exercise,
            Graded::Error(e) => &e.exercise,
        }
    }

    pub fn status(&self) -> Status {
        match self {
            Graded::Done(r) => r.status(),
            Graded::Error(_) => Status::Error,
        }
    }
}

/// A whole run, one entry per exercise in the order asked.
#[derive(Debug, Clone, Default)]
pub struct Grading {
    pub exercises: Vec<Graded>,
}

impl Grading {
    pub fn one(graded: Graded) -> Grading {
        Grading { exercises: vec![graded] }
    }

    /// The worst status of its exercises (2 > 1 > 0); a run of nothing passed.
    pub fn status(&self) -> Status {
        self.exercises.iter().map(Graded::status).max().unwrap_or(Status::Pass)
    }

    pub fn reports(&self) -> impl Iterator<Item = &Report> {
        self.exercises.iter().filter_map(|g| match g {
            Graded::Done(r) => Some(r.as_ref()),
            Graded::Error(_) => None,
        })
    }

    pub fn errors(&self) -> impl Iterator<Item = &GradeError> {
        self.exercises.iter().filter_map(|g| match g {
            Graded::Error(e) => Some(e),
            Graded::Done(_) => None,
        })
    }

    /// Points awarded over the exercises graded.
    pub fn score(&self) -> u32 {
        self.reports().map(|r| r.score).sum()
    }

    /// Points possible over every exercise whose worth is known (graded or not).
    pub fn max_score(&self) -> u32 {
        self.reports().map(|r| r.max_score).sum::<u32>() + self.errors().filter_map(|e| e.max_score).sum::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_status_wins() {
        let pass = {
            let mut r = crate::report::sample();
            r.verdicts.retain(|v| v.passed);
            Graded::Done(Box::new(r))
        };
        let fail = Graded::Done(Box::new(crate::report::sample()));
        let error = crate::report::sample_error().exercises.remove(0);
        assert_eq!(Grading::one(pass.clone()).status(), Status::Pass);
        assert_eq!(Grading { exercises: vec![pass.clone(), fail.clone()] }.status(), Status::Fail);
        assert_eq!(Grading { exercises: vec![fail.clone(), error.clone(), pass] }.status(), Status::Error);
        let g = Grading { exercises: vec![fail, error] };
        assert_eq!((g.score(), g.max_score()), (15, 80));
    }
}
