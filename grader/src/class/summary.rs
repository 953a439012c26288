//! The instructor's summary of a gradebook, in Markdown (GitHub, GitLab and most editors render
//! it): the distribution of scores, each exercise's pass rate, the checks most often failed, the
//! slowest builds, and what could not be graded. Pure.

use std::collections::BTreeMap;

use super::gradebook::{Gradebook, Outcome};

pub fn markdown(book: &Gradebook) -> String {
    let n = book.students.len();
    let mut out = format!("# Gradebook\n\n{n} submissions, exercises {}.\n\n", ids(book));

    out.push_str("## Scores\n\n| score (% of max) | students | |\n|---|---:|---|\n");
    let mut bins = [0usize; 10];
    for s in &book.students {
        let pct = (s.score * 100).checked_div(s.max_score).unwrap_or(100);
        bins[(pct as usize / 10).min(9)] += 1;
    }
    for (i, count) in bins.iter().enumerate().rev() {
        let range = if i == 9 { "90–100".to_string() } else { format!("{}–{}", i * 10, i * 10 + 9) };
        out.push_str(&format!("| {range} | {count} | {} |\n", "█".repeat(*count)));
    }
    let mut totals: Vec<u32> = book.students.iter().map(|s| s.score).collect();
    totals.sort();
    if let (Some(min), Some(max)) = (totals.first(), totals.last()) {
        let median = totals[totals.len() / 2];
        let max_score = book.students.first().map(|s| s.max_score).unwrap_or(0);
        out.push_str(&format!("\nLowest {min}, median {median}, highest {max} of {max_score}.\n"));
    }

    out.push_str(
        "\n## Exercises\n\n| exercise | all checks passed | graded | could not grade |\n|---|---:|---:|---:|\n",
    );
    for e in &book.exercises {
        let grades: Vec<&Outcome> = book.students.iter().filter_map(|s| s.grade(&e.id)).map(|g| &g.outcome).collect();
        let passed = grades.iter().filter(|o| o.passed()).count();
        let errors = grades.iter().filter(|o| o.is_error()).count();
        out.push_str(&format!("| {} | {passed} | {} | {errors} |\n", e.id, grades.len() - errors));
    }

    let mut failed: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in &book.students {
        for g in &s.grades {
            if let Outcome::Graded { checks, .. } = &g.outcome {
                for c in checks.iter().filter(|c| !c.passed) {
                    *failed.entry((g.exercise.clone(), c.id.clone())).or_default() += 1;
                }
            }
        }
    }
    let mut failed: Vec<_> = failed.into_iter().collect();
    failed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.push_str("\n## Checks most often failed\n\n");
    if failed.is_empty() {
        out.push_str("None: every graded check passed.\n");
    } else {
        out.push_str("| check | students who failed it |\n|---|---:|\n");
        for ((ex, id), count) in failed.iter().take(10) {
            out.push_str(&format!("| {ex} {id} | {count} |\n"));
        }
    }

    let mut builds: Vec<(f64, &str, &str)> = Vec::new();
    for s in &book.students {
        for g in &s.grades {
            if let Outcome::Graded { build_seconds, .. } = &g.outcome {
                builds.push((*build_seconds, &s.student, &g.exercise));
            }
        }
    }
    builds.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.push_str("\n## Slowest builds\n\n");
    if builds.is_empty() {
        out.push_str("No build was graded.\n");
    } else {
        out.push_str("| student | exercise | main build (s) |\n|---|---|---:|\n");
        for (secs, student, ex) in builds.iter().take(5) {
            out.push_str(&format!("| {} | {ex} | {secs:.1} |\n", cell(student)));
        }
    }

    let errors: Vec<String> = book
        .students
        .iter()
        .flat_map(|s| {
            s.grades.iter().filter_map(move |g| match &g.outcome {
                Outcome::Error { message } => Some(format!(
                    "- {} {}: {} (on {}, {} attempt{})\n",
                    cell(&s.student),
                    g.exercise,
                    message.lines().next().unwrap_or_default(),
                    g.engine,
                    g.attempts,
                    if g.attempts == 1 { "" } else { "s" }
                )),
                _ => None,
            })
        })
        .collect();
    if !errors.is_empty() {
        out.push_str(&format!(
            "\n## Could not grade ({})\n\nNot the students' failures: run `grader class` again to grade these.\n\n",
            errors.len()
        ));
        out.extend(errors);
    }
    out
}

fn ids(book: &Gradebook) -> String {
    book.exercises.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(", ")
}

/// A student's name in a table cell: a `|` would end the cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    #[test]
    fn distribution_failed_checks_slowest_builds_and_errors() {
        let md = super::markdown(&super::super::gradebook::tests::sample());
        assert!(md.contains("| 90–100 | 1 | █ |"), "{md}");
        assert!(md.contains("| 30–39 | 1 | █ |"), "{md}");
        assert!(md.contains("| 0–9 | 1 | █ |"), "{md}");
        assert!(md.contains("| ex1 | 1 | 2 | 1 |"), "{md}");
        assert!(md.contains("| ex1 size | 1 |"), "{md}");
        assert!(md.find("| bob, jr | ex1 | 30.0 |").unwrap() < md.find("| alice | ex1 | 12.5 |").unwrap(), "{md}");
        assert!(md.contains("## Could not grade (1)"), "{md}");
        assert!(
            md.contains("- =cmd ex1: the engine stopped answering (on unix:///var/run/docker.sock, 1 attempt)"),
            "{md}"
        );
    }
}
