//! JUnit XML, for CI systems that show test reports (GitLab, Jenkins): one test suite per
//! exercise; in it, one test case for the build (`ex1.build`) and one per check (`ex1.size`).
//! Names never change with the score, so a fixed check is the same test going green; the
//! points are in the suite's properties and each case's output. An exercise the grader could
//! not grade is one `<error>` case (`ex1.grade`), never a failure. Written with `quick-junit`.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::{GradeError, Graded, Grading, Report};

pub fn render(grading: &Grading) -> String {
    let mut doc = quick_junit::Report::new("grader");
    for g in &grading.exercises {
        doc.add_test_suite(match g {
            Graded::Done(r) => suite(r),
            Graded::Error(e) => error_suite(e),
        });
    }
    let total: f64 = grading.reports().map(|r| r.build.seconds + r.probe_seconds.values().sum::<f64>()).sum();
    doc.set_time(secs(total));
    let xml = doc.to_string().expect("a JUnit report always serializes");
    without_root_skipped(&xml)
}

/// quick-junit writes `skipped="0"` on `<testsuites>`, an attribute Jenkins xUnit's JUnit schema
/// (junit-10.xsd, which the plugin validates reports against) does not allow there. The grader
/// never skips a check: the count is always 0, and dropping it loses nothing.
fn without_root_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites") else { return xml.to_string() };
    let end = start + xml[start..].find('>').unwrap_or(0);
    let tag = xml[start..end].replacen(" skipped=\"0\"", "", 1);
    format!("{}{tag}{}", &xml[..start], &xml[end..])
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or_default()
}

fn suite(r: &Report) -> TestSuite {
    let mut suite = TestSuite::new(r.exercise.as_str());
    suite.add_property(Property::new("title", r.title.as_str()));
    suite.add_property(Property::new("score", r.score.to_string()));
    suite.add_property(Property::new("max_score", r.max_score.to_string()));
    for v in &r.verdicts {
        suite.add_property(Property::new(format!("points.{}", v.id), format!("{}/{}", v.points, v.max_points)));
    }
    suite.add_property(Property::new("engine", r.engine_version.as_str()));
    suite.add_property(Property::new("run_id", r.run_id.as_str()));
    suite.add_test_case(build_case(r));
    for v in &r.verdicts {
        let status = if v.passed {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(v.message.as_str()).set_type(v.kind.as_str());
            let mut body = String::new();
            if let Some(line) = v.line {
                body.push_str(&format!("{}:{line}\n", r.dockerfile));
            }
            for d in &v.details {
                body.push_str(&format!("{d}\n"));
            }
            if let Some(f) = r.build.failure.as_ref().filter(|_| v.message.starts_with("not measured")) {
                body.push_str(&format!("{}\n", f.headline(&r.dockerfile)));
            }
            if let Some(h) = v.hints.first() {
                body.push_str(&format!("hint: {h}\n"));
            }
            s.set_description(body);
            s
        };
        let mut case = TestCase::new(format!("{}.{}", r.exercise, v.id), status);
        case.set_classname(r.exercise.as_str()).set_time(secs(r.check_seconds(&v.id)));
        case.set_system_out(format!("{}/{} points: {}\n", v.points, v.max_points, v.message));
        suite.add_test_case(case);
    }
    suite.set_time(secs(r.build.seconds + r.probe_seconds.values().sum::<f64>()));
    suite
}

/// `ex1.build`: passes when the image was built; else fails with the step, the line, the last
/// lines of its output and a hint.
fn build_case(r: &Report) -> TestCase {
    let (status, out) = match &r.build.failure {
        None => (TestCaseStatus::success(), format!("built with {} in {:.1} s\n", r.build.builder, r.build.seconds)),
        Some(f) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(f.headline(&r.dockerfile)).set_type("build").set_description(f.text(&r.dockerfile));
            (s, f.output.iter().map(|l| format!("{l}\n")).collect())
        }
    };
    let mut case = TestCase::new(format!("{}.build", r.exercise), status);
    case.set_classname(r.exercise.as_str()).set_time(secs(r.build.seconds)).set_system_out(out);
    case
}

fn error_suite(e: &GradeError) -> TestSuite {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    let first = e.message.lines().next().unwrap_or_default();
    status.set_message(format!("could not grade: {first}")).set_type("could-not-grade").set_description(format!(
        "{}\nThe grader could not do its job: this is not a failed check. Fix the runner and grade again.\n",
        e.message
    ));
    let mut case = TestCase::new(format!("{}.grade", e.exercise), status);
    case.set_classname(e.exercise.as_str()).set_time(Duration::ZERO);
    let mut suite = TestSuite::new(e.exercise.as_str());
    if let Some(max) = e.max_score {
        suite.add_property(Property::new("max_score", max.to_string()));
    }
    suite.add_test_case(case);
    suite
}

#[cfg(test)]
mod tests {
    use crate::report::{sample, sample_build_failed, sample_error, Graded, Grading};

    fn one(r: crate::report::Report) -> String {
        super::render(&Grading::one(Graded::Done(Box::new(r))))
    }

    #[test]
    fn snapshot() {
        let text = one(sample());
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="grader" tests="3" failures="1" errors="0" time="13.750">
    <testsuite name="ex1" tests="3" skipped="0" errors="0" failures="1" time="13.750">
        <properties>
            <property name="title" value="Go: from golang to scratch"/>
            <property name="score" value="15"/>
            <property name="max_score" value="40"/>
            <property name="points.size" value="0/25"/>
            <property name="points.smoke" value="15/15"/>
            <property name="engine" value="20.10.24"/>
            <property name="run_id" value="0123456789"/>
        </properties>
        <testcase name="ex1.build" classname="ex1" time="12.500">
            <system-out>built with buildkit in 12.5 s
</system-out>
        </testcase>
        <testcase name="ex1.size" classname="ex1" time="0.000">
            <failure message="812 MB of layer content, over the 20.0 MB budget" type="size">exercises/ex1/Dockerfile:1
800 MB comes from the base image golang:1-trixie
hint: Build in one stage, ship from another.
</failure>
            <system-out>0/25 points: 812 MB of layer content, over the 20.0 MB budget
</system-out>
        </testcase>
        <testcase name="ex1.smoke" classname="ex1" time="1.250">
            <system-out>15/15 points: GET /healthz answered 200 on port 8080 (0.4 s)
</system-out>
        </testcase>
    </testsuite>
</testsuites>
"#;
        assert_eq!(text, expected, "\n{text}");
    }

    #[test]
    fn a_build_failure_is_the_build_case_with_step_line_and_output() {
        let text = one(sample_build_failed());
        assert!(text.contains(r#"<testcase name="ex1.build" classname="ex1" time="12.500">"#), "{text}");
        assert!(
            text.contains(r#"<failure message="the build failed at [build 5/6] RUN go biuld -o /out/app . (exercises/ex1/Dockerfile:11)" type="build">"#),
            "{text}"
        );
        assert!(
            text.contains("go: unknown command &quot;biuld&quot;") || text.contains("go: unknown command \"biuld\""),
            "{text}"
        );
        assert!(text.contains("hint: Read the step"), "{text}");
        assert!(text.contains(r#"failures="3""#), "{text}");
    }

    #[test]
    fn an_error_is_an_error_case_not_a_failure() {
        let text = super::render(&sample_error());
        assert!(text.contains(r#"errors="1""#) && text.contains(r#"failures="0""#), "{text}");
        assert!(text.contains(r#"<testcase name="ex1.grade" classname="ex1" time="0.000">"#), "{text}");
        assert!(text.contains(r#"<error message="could not grade: Docker is not running"#), "{text}");
    }

    #[test]
    fn names_stay_when_the_score_changes() {
        let mut fixed = sample();
        fixed.verdicts[0].passed = true;
        fixed.verdicts[0].points = 25;
        let names = |t: &str| -> Vec<String> {
            t.lines()
                .filter_map(|l| l.trim().strip_prefix("<testcase name=\""))
                .map(|l| l.split('"').next().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&one(sample())), names(&one(fixed)));
        assert_eq!(names(&one(sample())), ["ex1.build", "ex1.size", "ex1.smoke"]);
    }

    #[test]
    fn the_root_loses_only_its_skipped_count() {
        assert_eq!(
            super::without_root_skipped(
                "<?xml?>\n<testsuites name=\"g\" tests=\"1\" skipped=\"0\" failures=\"0\">\n<testsuite skipped=\"0\">"
            ),
            "<?xml?>\n<testsuites name=\"g\" tests=\"1\" failures=\"0\">\n<testsuite skipped=\"0\">"
        );
    }

    /// Validates `xml` with `xmllint` against Jenkins xUnit's JUnit schema (committed under
    /// tests/fixtures with its source). Without xmllint the check is skipped, loudly: `.ci/run`
    /// installs it (Debian: libxml2-utils).
    fn valid_for_jenkins(name: &str, xml: &str) {
        let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit-10.xsd");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("{name}.xml"));
        std::fs::write(&file, xml).unwrap();
        let out =
            match std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&file).output() {
                Ok(out) => out,
                Err(e) => panic!(
                    "xmllint could not run ({e}): the JUnit output is validated against the Jenkins schema with it. \
                 Install libxml2-utils (`.ci/run` does)."
                ),
            };
        assert!(out.status.success(), "{name}: {}\n{xml}", String::from_utf8_lossy(&out.stderr));
    }

    #[test]
    fn every_case_is_valid_for_jenkins_xunit() {
        let mut pass = sample();
        pass.verdicts.retain(|v| v.passed);
        let mut several = sample_error();
        several.exercises.insert(0, Graded::Done(Box::new(sample_build_failed())));
        several.exercises.insert(0, Graded::Done(Box::new(sample())));
        for (name, xml) in [
            ("pass", one(pass)),
            ("fail", one(sample())),
            ("build-failed", one(sample_build_failed())),
            ("error", super::render(&sample_error())),
            ("several", super::render(&several)),
        ] {
            valid_for_jenkins(name, &xml);
        }
    }
}
