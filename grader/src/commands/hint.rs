//! `grader hint <id>`: the exercise's hint ladder, then each check's, vaguest first.

use anyhow::Result;

use crate::error::Outcome;
use crate::workbook::Workbook;

pub fn run(workbook: &Workbook, exercise: Option<&str>) -> Result<Outcome> {
    let e = workbook.exercise(exercise)?;
    println!("{} · {}", e.id, e.spec.title);
    for (n, h) in e.spec.hints.iter().enumerate() {
        println!("{}. {h}", n + 1);
    }
    for c in e.spec.checks.iter().filter(|c| !c.hints.is_empty()) {
        println!("\n{} ({} points):", c.id, c.points);
        for (n, h) in c.hints.iter().enumerate() {
            println!("  {}. {h}", n + 1);
        }
    }
    println!("\nread: book/src/{}", e.spec.book);
    Ok(Outcome::Pass)
}
