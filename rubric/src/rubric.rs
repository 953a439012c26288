//! An exercise's rubric as markdown: one table row per check (id, what it measures, points,
//! hint ladder folded, the section to read), the total, what the starter fails, how the grader
//! builds, and the exercise-wide hints. Pure: a spec and the page's place in the book in, text out.

use workbook::spec::{CheckSpec, Spec};

use crate::settings::{self, cell_text, code};
use crate::Links;

/// The markdown for `{{#rubric <id>}}` on the page at `links.page`.
pub fn render(id: &str, spec: &Spec, links: &Links<'_>) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "*Rubric of `{id}`, rendered from `exercises/{id}/{}`: the file the grader reads.*\n\n",
        workbook::spec::SPEC_FILE
    ));
    out.push_str("| Check | What it measures | Points | Hints | Read |\n");
    out.push_str("| --- | --- | ---: | --- | --- |\n");
    for check in &spec.checks {
        out.push_str(&row(check, spec, links));
    }
    out.push_str(&format!("| **Total** | | **{}** | | |\n\n", spec.total_points()));
    out.push_str(&starter_line(spec));
    out.push_str(&build_line(spec));
    out.push_str(&exercise_hints(spec));
    out
}

fn row(check: &CheckSpec, spec: &Spec, links: &Links<'_>) -> String {
    let kind = check.kind.name();
    let mut measures = format!("[{kind}]({})", links.to(&format!("{}#{kind}", crate::CHECKS_PAGE)));
    let phrases = settings::phrases(&settings::of(&check.kind));
    if !phrases.is_empty() {
        measures.push_str(": ");
        measures.push_str(&link_rule_ids(&phrases.join(" · "), links));
    }
    let read = check.book.as_deref().unwrap_or(&spec.book);
    format!(
        "| {} | {} | {} | {} | {} |\n",
        code(&check.id),
        measures,
        check.points,
        hint_ladder(&check.hints),
        links.titled(read)
    )
}

/// Lint rule ids written as code (`` `GR003` ``) become links to the rule's row on the lint
/// rules page, whatever setting mentions them.
pub fn link_rule_ids(text: &str, links: &Links<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("`GR") {
        let candidate = &rest[i + 1..];
        let is_rule = candidate.len() >= 6
            && candidate[2..5].bytes().all(|b| b.is_ascii_digit())
            && candidate.as_bytes()[5] == b'`';
        if is_rule {
            let id = &candidate[..5];
            out.push_str(&rest[..i]);
            out.push_str(&format!(
                "[`{id}`]({})",
                links.to(&format!("{}#{}", crate::LINT_RULES_PAGE, id.to_ascii_lowercase()))
            ));
            rest = &candidate[6..];
        } else {
            out.push_str(&rest[..i + 1]);
            rest = candidate;
        }
    }
    out.push_str(rest);
    out
}

/// Hints folded in a `<details>`, vaguest first, all on one line (a table cell).
fn hint_ladder(hints: &[String]) -> String {
    if hints.is_empty() {
        return "none".to_string();
    }
    let items: String = hints.iter().map(|h| format!("<li>{}</li>", cell_text(h))).collect();
    let n = hints.len();
    format!("<details><summary>{n} hint{}</summary><ol>{items}</ol></details>", if n == 1 { "" } else { "s" })
}

fn starter_line(spec: &Spec) -> String {
    let (fails, passes): (Vec<&CheckSpec>, Vec<&CheckSpec>) =
        spec.checks.iter().partition(|c| spec.starter.fails.contains(&c.id));
    let list = |cs: &[&CheckSpec]| and_list(&cs.iter().map(|c| code(&c.id)).collect::<Vec<_>>());
    let mut s = String::from("The untouched starter ");
    if fails.is_empty() {
        s.push_str("passes every check");
    } else {
        s.push_str(&format!("fails {}", list(&fails)));
        if !passes.is_empty() {
            s.push_str(&format!(", and passes {}", list(&passes)));
        }
    }
    s.push_str(" (`grader verify` holds it to that).\n\n");
    s
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn build_line(spec: &Spec) -> String {
    let b = &spec.build;
    let mut parts = Vec::new();
    if b.dockerfile != "Dockerfile" {
        parts.push(format!("from {}", code(&b.dockerfile)));
    }
    if let Some(t) = &b.target {
        parts.push(format!("the stage {} (`--target {t}`)", code(t)));
    }
    if !b.args.is_empty() {
        let args: Vec<String> = b.args.iter().map(|(k, v)| code(&format!("--build-arg {k}={v}"))).collect();
        parts.push(format!("with {}", and_list(&args)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("The grader builds {}.\n\n", parts.join(", "))
    }
}

fn exercise_hints(spec: &Spec) -> String {
    if spec.hints.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<details>\n<summary>Hints for the whole exercise ({}, vaguest first; also <code>grader hint</code>)</summary>\n\n",
        spec.hints.len()
    );
    for (n, h) in spec.hints.iter().enumerate() {
        s.push_str(&format!("{}. {}\n", n + 1, h.replace('\n', " ")));
    }
    s.push_str("\n</details>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    fn spec(checks: &str) -> Spec {
        Spec::parse(&format!(
            "format_version = 1\ntitle = \"T\"\nlanguage = \"go\"\nbook = \"exercises/ex9.md\"\n\
             hints = [\"vague\", \"precise\"]\n[starter]\nfails = [\"size\"]\n{checks}"
        ))
        .unwrap()
    }

    fn links<'a>(titles: &'a BTreeMap<String, String>) -> Links<'a> {
        Links { page: Path::new("exercises/ex9.md"), titles }
    }

    #[test]
    fn one_row_per_check_with_total_and_starter() {
        let s = spec(
            "[[check]]\nkind = \"size\"\npoints = 25\nmax_mb = 20\nhints = [\"a\", \"b | c\"]\n\
             [[check]]\nkind = \"user\"\npoints = 15\nbook = \"security.md#non-root\"\n",
        );
        let titles = BTreeMap::from([("security.md".to_string(), "Security".to_string())]);
        let md = render("ex9", &s, &links(&titles));
        assert!(md.contains(
            "| `size` | [size](../reference/checks.md#size): ≤ 20 MB | 25 | <details><summary>2 hints</summary><ol><li>a</li><li>b \\| c</li></ol></details> | this page |"
        ), "{md}");
        assert!(md.contains("| `user` | [user](../reference/checks.md#user) | 15 | none | [Security § non root](../security.md#non-root) |"), "{md}");
        assert!(md.contains("| **Total** | | **40** | | |"), "{md}");
        assert!(md.contains("The untouched starter fails `size`, and passes `user`"), "{md}");
        assert!(md.contains("1. vague\n2. precise\n"), "{md}");
    }

    #[test]
    fn lint_rule_ids_link_to_their_rows() {
        let titles = BTreeMap::new();
        let l = links(&titles);
        assert_eq!(
            link_rule_ids("rules: `GR001`, `GR010` · `GRX` `GR12`", &l),
            "rules: [`GR001`](../reference/lint-rules.md#gr001), [`GR010`](../reference/lint-rules.md#gr010) · `GRX` `GR12`"
        );
    }

    #[test]
    fn build_settings_are_said() {
        let mut s = spec("[[check]]\nkind = \"size\"\npoints = 1\nmax_mb = 5\n");
        s.build.target = Some("test".into());
        s.build.args.insert("GO_VERSION".into(), "1.27".into());
        let titles = BTreeMap::new();
        let md = render("ex9", &s, &links(&titles));
        assert!(
            md.contains("The grader builds the stage `test` (`--target test`), with `--build-arg GO_VERSION=1.27`."),
            "{md}"
        );
    }

    #[test]
    fn custom_ids_are_shown_beside_their_kind() {
        let s = spec(
            "[[check]]\nid = \"no-compiler\"\nkind = \"absent\"\npoints = 5\npaths = [\"/usr/bin/gcc\"]\nwhat = \"a C compiler\"\n\
             [[check]]\nkind = \"size\"\npoints = 1\nmax_mb = 1\n",
        );
        let titles = BTreeMap::new();
        let md = render("ex9", &s, &links(&titles));
        assert!(
            md.contains(
                "| `no-compiler` | [absent](../reference/checks.md#absent): a C compiler · paths: `/usr/bin/gcc` |"
            ),
            "{md}"
        );
    }
}
