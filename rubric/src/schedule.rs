//! `{{#reading-times}}`: how long each chapter takes to read, counted from the chapters
//! themselves (words at [`WORDS_PER_MINUTE`], rounded up), with the exercises each chapter's
//! `{{#practise ...}}` names. Computed over the whole book before the chapters are expanded,
//! so the table cannot drift from the text.

use std::collections::BTreeMap;

use crate::settings::cell_text;
use crate::Links;

/// A careful reading pace for technical prose with code.
pub const WORDS_PER_MINUTE: usize = 150;

/// One chapter: its path (relative to `src/`), title, word count and practised exercises.
#[derive(Debug, Clone)]
pub struct Chapter {
    pub path: String,
    pub title: String,
    pub words: usize,
    pub practise: Vec<String>,
}

/// What a chapter's text contributes: its words and the ids of its `{{#practise}}`.
pub fn measure(content: &str) -> (usize, Vec<String>) {
    let words = content.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
    let mut practise = Vec::new();
    for d in crate::directive::find(content) {
        if d.name == "practise" {
            practise.extend(d.args.iter().map(|a| a.to_string()));
        }
    }
    (words, practise)
}

/// Minutes to read `words`, rounded up.
pub fn minutes(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

/// The table, chapters in book order; exercise ids link to their pages via `exercise_pages`.
pub fn render(chapters: &[Chapter], exercise_pages: &BTreeMap<String, String>, links: &Links<'_>) -> String {
    let mut out = String::from("| chapter | reading | practise |\n| --- | ---: | --- |\n");
    let mut total = 0;
    for c in chapters {
        total += minutes(c.words);
        let practise: Vec<String> = c
            .practise
            .iter()
            .map(|id| match exercise_pages.get(id) {
                Some(page) => format!("[{id}]({})", links.to(page)),
                None => id.clone(),
            })
            .collect();
        out.push_str(&format!(
            "| [{}]({}) | {} min | {} |\n",
            cell_text(&c.title),
            links.to(&c.path),
            minutes(c.words),
            practise.join(", ")
        ));
    }
    out.push_str(&format!("| **all chapters** | **{total} min** | |\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_practise_are_counted() {
        let (w, p) = measure("# Title\n\nSome words here.\n\n```sh\nls -l\n```\n\n{{#practise ex5 ex9}}\n");
        assert_eq!(p, ["ex5", "ex9"]);
        // Title, Some, words, here., ```sh, ls, -l, {{#practise, ex5, ex9}}: a word is anything with a letter or digit.
        assert_eq!(w, 10);
    }

    #[test]
    fn minutes_round_up() {
        assert_eq!(minutes(1), 1);
        assert_eq!(minutes(WORDS_PER_MINUTE), 1);
        assert_eq!(minutes(WORDS_PER_MINUTE + 1), 2);
    }
}
