//! Text statistics: the service's logic, free of HTTP so it is easy to test.

use std::collections::HashMap;

use serde_json::{json, Value};

/// Counts the words of `text` (letters, digits and apostrophes; case-insensitive) and returns
/// the totals with the `top` most frequent words, most frequent first (ties alphabetically).
pub fn word_stats(text: &str, top: usize) -> Value {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut words = 0;
    for word in text
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
    {
        words += 1;
        *counts.entry(word.to_lowercase()).or_default() += 1;
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let distinct = ranked.len();
    let top: Vec<Value> = ranked.into_iter().take(top).map(|(w, n)| json!({"word": w, "count": n})).collect();
    json!({
        "characters": text.chars().count(),
        "lines": text.lines().count(),
        "words": words,
        "distinct_words": distinct,
        "top": top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words_case_insensitively() {
        let s = word_stats("The cat saw the other cat.\nThe end", 2);
        assert_eq!(s["words"], 8);
        assert_eq!(s["distinct_words"], 5);
        assert_eq!(s["lines"], 2);
        assert_eq!(s["top"], json!([{"word": "the", "count": 3}, {"word": "cat", "count": 2}]));
    }

    #[test]
    fn keeps_apostrophes_inside_words_only() {
        let s = word_stats("'don't' stop", 5);
        assert_eq!(s["top"], json!([{"word": "don't", "count": 1}, {"word": "stop", "count": 1}]));
    }

    #[test]
    fn empty_text_has_no_words() {
        let s = word_stats("  \n ", 3);
        assert_eq!(s["words"], 0);
        assert_eq!(s["top"], json!([]));
    }
}
