//! Finding the preprocessor's directives in a chapter: `{{#rubric ex1}}`, `{{#exercises}}`,
//! `{{#lint-rules}}`. Pure text scanning; what a directive expands to is decided in `lib.rs`.
//! A directive preceded by a backslash (`\{{#rubric ex1}}`) is left alone, and mdBook's own
//! links preprocessor (which runs after this one) removes the backslash.

/// One directive found in a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive<'a> {
    /// Byte range of the whole `{{#...}}` in the chapter.
    pub span: std::ops::Range<usize>,
    /// The directive's name, e.g. `rubric`.
    pub name: &'a str,
    /// The words after the name, e.g. `["ex1"]`.
    pub args: Vec<&'a str>,
}

/// The names this preprocessor owns. Other `{{#...}}` (mdBook's `include`, `title`, ...) are
/// not ours and are skipped.
pub const NAMES: &[&str] = &["rubric", "exercises", "lint-rules", "playground", "practise"];

/// Every directive of ours in `text`, in order.
pub fn find(text: &str) -> Vec<Directive<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find("{{#") {
        let start = from + rel;
        let Some(len) = text[start..].find("}}") else { break };
        let end = start + len + 2;
        from = start + 3;
        if start > 0 && text.as_bytes()[start - 1] == b'\\' {
            continue;
        }
        let inner = &text[start + 3..end - 2];
        if inner.contains('\n') {
            continue;
        }
        let mut words = inner.split_whitespace();
        let Some(name) = words.next() else { continue };
        if !NAMES.contains(&name) {
            continue;
        }
        found.push(Directive { span: start..end, name, args: words.collect() });
        from = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ours_and_skips_others() {
        let text = "a {{#rubric ex1}} b {{#include x.md}} c {{#exercises}} {{#lint-rules}}";
        let d = find(text);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].name, "rubric");
        assert_eq!(d[0].args, vec!["ex1"]);
        assert_eq!(&text[d[0].span.clone()], "{{#rubric ex1}}");
        assert_eq!(d[1].name, "exercises");
        assert!(d[1].args.is_empty());
        assert_eq!(d[2].name, "lint-rules");
    }

    #[test]
    fn escaped_directives_are_left_alone() {
        assert!(find(r"write \{{#rubric ex1}} in a page").is_empty());
    }

    #[test]
    fn unterminated_and_multiline_are_not_directives() {
        assert!(find("{{#rubric ex1").is_empty());
        assert!(find("{{#rubric\nex1}}").is_empty());
    }

    #[test]
    fn whitespace_around_args_is_ignored() {
        let d = find("{{#rubric   ex2  }}");
        assert_eq!(d[0].args, vec!["ex2"]);
    }
}
