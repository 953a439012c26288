//! The terminal report: the build's outcome, a table of checks, the total, and the first hint
//! of every failed check.

use comfy_table::{presets, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::{Graded, Grading, Report};
use crate::output::{ascii, wrap, Style};
use crate::units::mb;

/// A whole run: each exercise's report (or why it could not be graded), then, for several, a
/// line per exercise and the total.
pub fn render_grading(grading: &Grading, style: Style) -> String {
    let mut parts = Vec::new();
    for g in &grading.exercises {
        parts.push(match g {
            Graded::Done(r) => render(r, style),
            // The error itself goes to stderr, where a terminal shows it after this.
            Graded::Error(e) => wrap(
                &format!("{} {} could not grade (not a failed check): see the error below", e.exercise, dot(style)),
                style.width,
                "",
                "  ",
            ),
        });
    }
    if grading.exercises.len() > 1 {
        let mut total = String::from("all exercises:\n");
        for g in &grading.exercises {
            let line = match g {
                Graded::Done(r) => format!(
                    "  {:<8} {:<5} {}/{}",
                    r.exercise,
                    if r.passed() { "pass" } else { "FAIL" },
                    r.score,
                    r.max_score
                ),
                Graded::Error(e) => format!("  {:<8} ERROR could not grade", e.exercise),
            };
            total.push_str(line.trim_end());
            total.push('\n');
        }
        total.push_str(&format!("total {}/{}\n", grading.score(), grading.max_score()));
        parts.push(total);
    }
    parts.join("\n")
}

/// The report as text `style.width` columns wide at most; plain ASCII without box drawing
/// unless `style.unicode`.
pub fn render(report: &Report, style: Style) -> String {
    let text = render_text(report, style);
    if style.unicode {
        return text;
    }
    // Without borders, the table's padding leaves trailing blanks.
    ascii(&text).lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

fn dot(style: Style) -> &'static str {
    if style.unicode {
        "·"
    } else {
        "-"
    }
}

fn render_text(report: &Report, style: Style) -> String {
    let color = style.color;
    let mut out = format!("{} · {}\n", report.exercise, report.title);
    match &report.build.failure {
        None => out.push_str(&wrap(
            &format!(
                "built with {} in {:.1} s · image {}{} · context {} files, {}",
                report.build.builder,
                report.build.seconds,
                report.image_size.map(mb).unwrap_or_else(|| "?".into()),
                match (report.image_size, report.engine_image_size) {
                    (Some(a), Some(b)) if a.abs_diff(b) * 100 > a.max(1) => format!(" (engine: {})", mb(b)),
                    _ => String::new(),
                },
                report.context_files,
                mb(report.context_bytes),
            ),
            style.width,
            "",
            "  ",
        )),
        Some(f) => {
            out.push_str(&wrap(&f.headline(&report.dockerfile), style.width, "", "  "));
            for line in &f.output {
                out.push_str(&wrap(line, style.width, "  | ", "  |   "));
            }
            out.push_str(&wrap(f.message.trim(), style.width, "  ", "  "));
        }
    }
    if !report.bases.is_empty() {
        let shown: Vec<String> = report
            .bases
            .iter()
            .map(|b| {
                let mut notes: Vec<&str> = b.version.iter().map(String::as_str).collect();
                if b.stand_in {
                    notes.push("offline stand-in");
                }
                if notes.is_empty() {
                    b.image.clone()
                } else {
                    format!("{} ({})", b.image, notes.join(", "))
                }
            })
            .collect();
        out.push_str(&wrap(&shown.join(" · "), style.width, "base images: ", "  "));
    }
    let mut table = Table::new();
    table
        .load_preset(if style.unicode { presets::UTF8_FULL } else { presets::NOTHING })
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(style.width);
    table.set_header(vec!["check", "result", "points", "detail"]);
    for v in &report.verdicts {
        let (word, c) = if v.passed { ("pass", Color::Green) } else { ("FAIL", Color::Red) };
        let mut result = Cell::new(word);
        if color {
            result = result.fg(c);
        }
        let mut detail = v.message.clone();
        if let Some(line) = v.line {
            detail.push_str(&format!("\n→ {}:{line}", report.dockerfile));
        }
        for d in &v.details {
            detail.push_str(&format!("\n· {d}"));
        }
        table.add_row(vec![
            Cell::new(&v.id),
            result,
            Cell::new(format!("{}/{}", v.points, v.max_points)).set_alignment(CellAlignment::Right),
            Cell::new(detail),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    let failed: Vec<_> = report.verdicts.iter().filter(|v| !v.passed).collect();
    if failed.is_empty() {
        out.push_str(&format!("total {}/{}: every check passed\n", report.score, report.max_score));
        return out;
    }
    out.push_str(&format!(
        "total {}/{}: {} of {} checks failed\n",
        report.score,
        report.max_score,
        failed.len(),
        report.verdicts.len()
    ));
    for v in failed {
        if let Some(h) = v.hints.first() {
            out.push_str(&wrap(h, style.width, &format!("hint ({}): ", v.id), "  "));
        }
    }
    out.push_str(&format!(
        "more hints: grader hint {} · read: book/src/{}\n",
        report.exercise, report.verdicts[0].book
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        let style = crate::output::Style { color: false, unicode: true, width: 80 };
        let text = super::render(&super::super::sample(), style);
        let expected = "\
ex1 · Go: from golang to scratch
built with buildkit in 12.5 s · image 812 MB · context 5 files, 0.0 MB
┌───────┬────────┬────────┬────────────────────────────────────────────────────┐
│ check ┆ result ┆ points ┆ detail                                             │
╞═══════╪════════╪════════╪════════════════════════════════════════════════════╡
│ size  ┆ FAIL   ┆   0/25 ┆ 812 MB of layer content, over the 20.0 MB budget   │
│       ┆        ┆        ┆ → exercises/ex1/Dockerfile:1                       │
│       ┆        ┆        ┆ · 800 MB comes from the base image golang:1-trixie │
├╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌┤
│ smoke ┆ pass   ┆  15/15 ┆ GET /healthz answered 200 on port 8080 (0.4 s)     │
└───────┴────────┴────────┴────────────────────────────────────────────────────┘
total 15/40: 1 of 2 checks failed
hint (size): Build in one stage, ship from another.
more hints: grader hint ex1 · read: book/src/exercises/ex1.md
";
        assert_eq!(text, expected, "\n{text}");
    }
}
