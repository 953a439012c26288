//! `grader hint <id>`: the exercise's hint ladder, then each check's, vaguest first.

use anyhow::Result;

use crate::exit::Outcome;
use workbook::Workbook;

pub fn run(workbook: &Workbook, exercise: Option<&str>) -> Result<Outcome> {
    let e = workbook.exercise(exercise)?;
    let mut out = format!("{} · {}\n", e.id, e.spec.title);
    for (n, h) in e.spec.hints.iter().enumerate() {
        out.push_str(&format!("{}. {h}\n", n + 1));
    }
    for c in e.spec.checks.iter().filter(|c| !c.hints.is_empty()) {
        out.push_str(&format!("\n{} ({} points):\n", c.id, c.points));
        for (n, h) in c.hints.iter().enumerate() {
            out.push_str(&format!("  {}. {h}\n", n + 1));
        }
    }
    out.push_str(&format!("\nread: book/src/{}\n", e.spec.book));
    crate::output::emit(&out);
    Ok(Outcome::Pass)
}
