//! Heredoc openers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`) found in an instruction line. The
//! bodies are read by the line reader in `mod.rs`, which owns the physical lines.

use super::words::shell_words;

/// A heredoc opener: its terminator and how the body is treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Opener {
    pub name: String,
    pub strip_tabs: bool,
    pub quoted: bool,
}

/// Parses one shell word as a heredoc opener: optional fd digits, `<<`, optional `-`, then a
/// word without `<` that is a single shell word once quotes are removed.
pub(crate) fn parse_opener(word: &str) -> Option<Opener> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word.get(digits..)?.strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let cooked = shell_words(rest, false)?;
    if cooked.len() != 1 {
        return None;
    }
    let raw = shell_words(rest, true)?;
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let quoted = raw.len() != 1 || quotes(&cooked[0]) != quotes(&raw[0]);
    Some(Opener { name: cooked[0].clone(), strip_tabs, quoted })
}

/// Every heredoc opener on a logical instruction line, in order.
pub(crate) fn openers_in_line(line: &str) -> Vec<Opener> {
    if !line.contains("<<") {
        return Vec::new();
    }
    shell_words(line, true).unwrap_or_default().iter().filter_map(|w| parse_opener(w)).collect()
}

/// Whether a RUN command is a heredoc word and nothing else (`RUN <<EOF`), the case BuildKit
/// runs the body as a script and summarises it in progress names.
pub(crate) fn is_single_heredoc_word(cmd: &str) -> bool {
    parse_opener(cmd).is_some()
}

/// Removes leading tabs from every line (`<<-`).
pub(crate) fn strip_leading_tabs(body: &str) -> String {
    body.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openers() {
        let o = parse_opener("<<EOF").unwrap();
        assert_eq!((o.name.as_str(), o.strip_tabs, o.quoted), ("EOF", false, false));
        let o = parse_opener("<<-'END'").unwrap();
        assert_eq!((o.name.as_str(), o.strip_tabs, o.quoted), ("END", true, true));
        let o = parse_opener("2<<\"X\"").unwrap();
        assert_eq!((o.name.as_str(), o.quoted), ("X", true));
        assert!(parse_opener("<<").is_none());
        assert!(parse_opener("cat<<EOF").is_none());
        assert!(parse_opener("<<<EOF").is_none());
        assert!(parse_opener("\"<<EOF\"").is_none());
    }

    #[test]
    fn several_on_one_line() {
        let names: Vec<_> = openers_in_line("RUN <<A cat && <<-B sh").into_iter().map(|o| o.name).collect();
        assert_eq!(names, ["A", "B"]);
        assert!(openers_in_line("RUN echo '<<A'").is_empty());
    }

    #[test]
    fn tabs() {
        assert_eq!(strip_leading_tabs("\t\ta\n\tb\n c\n"), "a\nb\n c\n");
    }
}
