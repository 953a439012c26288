//! `grader list`: the exercises, their language and what they are worth.

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::exit::Outcome;
use workbook::Workbook;

pub fn run(workbook: &Workbook) -> Result<Outcome> {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec!["id", "language", "title", "checks", "points"]);
    for e in workbook.exercises()? {
        let checks: Vec<&str> = e.spec.checks.iter().map(|c| c.id.as_str()).collect();
        table.add_row(vec![
            e.id.clone(),
            e.spec.language.clone(),
            e.spec.title.clone(),
            checks.join(" "),
            e.spec.total_points().to_string(),
        ]);
    }
    crate::output::emit(&format!("{table}\ngrade one with: grader check <id>\n"));
    Ok(Outcome::Pass)
}
