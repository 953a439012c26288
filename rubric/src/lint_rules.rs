//! `{{#lint-rules}}`: the grader's lint rules, straight from the `dockerfile` crate's registry,
//! one row each with an anchor (`#gr003`) other pages can link to.

use dockerfile::lint::{Rule, Scope};

use crate::settings::cell_text;
use crate::Links;

/// The markdown table of `rules`.
pub fn render(rules: &[Rule], links: &Links<'_>) -> String {
    let mut out = String::from("| Rule | Severity | Looks at | What it reports | Read |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for r in rules {
        let scope = match r.scope {
            Scope::AllStages => "every stage",
            Scope::FinalStage => "the final stage",
        };
        out.push_str(&format!(
            "| <a id=\"{}\"></a>**{}** `{}` | {} | {} | {} | {} |\n",
            r.id.to_ascii_lowercase(),
            r.id,
            r.name,
            r.severity.as_str(),
            scope,
            cell_text(r.summary),
            links.titled(r.book)
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
    fn every_rule_has_a_row_and_an_anchor() {
        let titles = BTreeMap::from([("size.md".to_string(), "Fewer, smaller layers".to_string())]);
        let links = Links { page: Path::new("reference/lint-rules.md"), titles: &titles };
        let md = render(dockerfile::lint::rules(), &links);
        for r in dockerfile::lint::rules() {
            assert!(md.contains(&format!("<a id=\"{}\"></a>**{}**", r.id.to_ascii_lowercase(), r.id)), "{}", r.id);
        }
        assert!(md.contains("[Fewer, smaller layers § apt lists](../size.md#apt-lists)"), "{md}");
    }
}
