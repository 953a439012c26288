//! `{{#exercises}}`: the table of every exercise (title, language, checks, points, what the
//! starter fails), linking each exercise's page and, where the book has one, its solution page.

use workbook::spec::Spec;

use crate::settings::{cell_text, code};
use crate::Links;

/// The solution page of an exercise, relative to `book/src/`.
pub fn solution_page(id: &str) -> String {
    format!("solutions/{id}.md")
}

/// The markdown table of `exercises` (id and spec, in the order given).
pub fn render(exercises: &[(String, Spec)], links: &Links<'_>) -> String {
    let mut out = String::from("| Exercise | Language | Checks | Points | The starter fails | Solution |\n");
    out.push_str("| --- | --- | --- | ---: | --- | --- |\n");
    for (id, spec) in exercises {
        let checks: Vec<String> = spec.checks.iter().map(|c| c.id.clone()).collect();
        let fails: Vec<String> = spec.starter.fails.iter().map(|f| code(f)).collect();
        let solution = solution_page(id);
        let solution = if links.titles.contains_key(&solution) {
            format!("[{id} solution]({})", links.to(&solution))
        } else {
            "not in the book yet".to_string()
        };
        out.push_str(&format!(
            "| [{id}: {}]({}) | {} | {} | {} | {} | {} |\n",
            cell_text(&spec.title),
            links.to(&spec.book),
            cell_text(&spec.language),
            cell_text(&checks.join(", ")),
            spec.total_points(),
            if fails.is_empty() { "nothing".to_string() } else { fails.join(", ") },
            solution
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    #[test]
    fn a_row_per_exercise_linking_page_and_solution() {
        let spec = Spec::parse(
            "format_version = 1\ntitle = \"Go: small\"\nlanguage = \"go\"\nbook = \"exercises/ex1.md\"\n\
             [starter]\nfails = [\"size\"]\n[[check]]\nkind = \"size\"\npoints = 25\nmax_mb = 20\n\
             [[check]]\nkind = \"user\"\npoints = 15\n",
        )
        .unwrap();
        let titles = BTreeMap::from([("solutions/ex1.md".to_string(), "Solution".to_string())]);
        let links = Links { page: Path::new("exercises/README.md"), titles: &titles };
        let md = render(&[("ex1".to_string(), spec.clone()), ("ex2".to_string(), spec)], &links);
        assert!(
            md.contains(
                "| [ex1: Go: small](ex1.md) | go | size, user | 40 | `size` | [ex1 solution](../solutions/ex1.md) |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| [ex2: Go: small](ex1.md) | go | size, user | 40 | `size` | not in the book yet |"),
            "{md}"
        );
    }
}
