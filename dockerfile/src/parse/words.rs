//! The small word splitters BuildKit applies to one logical line: instruction flags, the
//! quote-preserving words of ENV/LABEL/ARG, and the shell-like words in which heredocs are found.
//! All work on `char`s, so no slice can fall inside a UTF-8 sequence.

/// Splits the leading `--flag[=value]` words off `rest` (the text after the keyword).
///
/// Returns the remaining text and the flag words with quotes and backslash escapes removed (the
/// flag parser always uses `\`, whatever the escape directive says). A lone `--` ends the flags.
/// Only ASCII whitespace separates flags: BuildKit scans bytes here, so a non-ASCII space such
/// as U+00A0 starts the arguments there too (inside a flag it would cut the UTF-8 sequence in
/// two; we keep the character instead).
pub(crate) fn split_flags(rest: &str) -> (&str, Vec<String>) {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r');
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<(usize, char)> = rest.char_indices().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut i = 0;
    loop {
        let at_end = i >= chars.len();
        let (pos, ch) = if at_end { (rest.len(), '\0') } else { chars[i] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space(ch) {
                i += 1;
                continue;
            }
            let next_is_dash = chars.get(i + 1).is_some_and(|&(_, c)| c == '-');
            if ch != '-' || !next_is_dash {
                return (&rest[pos..], words);
            }
            phase = Phase::Word;
        }
        if at_end {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (&rest[pos..], words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                i += 1;
                continue;
            }
            let mut c = ch;
            if ch == '\\' {
                match chars.get(i + 1) {
                    None => {
                        i += 1;
                        continue;
                    }
                    Some(&(_, next)) => {
                        i += 1;
                        c = next;
                    }
                }
            }
            word.push(c);
            i += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
            i += 1;
            continue;
        }
        let mut c = ch;
        if ch == '\\' {
            match chars.get(i + 1) {
                None => {
                    phase = Phase::Word;
                    i += 1;
                    continue;
                }
                Some(&(_, next)) => {
                    i += 1;
                    c = next;
                }
            }
        }
        word.push(c);
        i += 1;
    }
    ("", words)
}

/// Splits ENV/LABEL/ARG arguments into words, keeping quotes and escapes in the words (they are
/// interpreted later, when values are expanded). `escape` is the Dockerfile's escape character.
pub(crate) fn quoted_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut i = 0;
    loop {
        let at_end = i >= chars.len();
        let ch = if at_end { '\0' } else { chars[i] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                i += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            let mut c = ch;
            if ch == escape {
                if i + 1 == chars.len() {
                    i += 1;
                    continue;
                }
                word.push(ch);
                i += 1;
                c = chars[i];
            }
            word.push(c);
            i += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
        }
        let mut c = ch;
        if ch == escape && quote != '\'' {
            if i + 1 == chars.len() {
                phase = Phase::Word;
                i += 1;
                continue;
            }
            i += 1;
            word.push(ch);
            c = chars[i];
        }
        word.push(c);
        i += 1;
    }
    words
}

/// Splits a line into shell words the way BuildKit's shell lexer does when it looks for
/// heredocs: whitespace separates words outside quotes, `\` escapes the next character, `${...}`
/// is kept whole. With `raw`, quotes and escapes stay in the words. `None` when a quote or `${`
/// is left open (BuildKit's lexer fails, and then finds no heredocs).
pub(crate) fn shell_words(line: &str, raw: bool) -> Option<Vec<String>> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            '\'' => {
                if raw {
                    word.push('\'');
                }
                loop {
                    let c = *chars.get(i)?;
                    i += 1;
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
                if raw {
                    word.push('\'');
                }
            }
            '"' => {
                if raw {
                    word.push('"');
                }
                loop {
                    let c = *chars.get(i)?;
                    i += 1;
                    if c == '"' {
                        break;
                    }
                    if c == '\\' {
                        if let Some(&n) = chars.get(i) {
                            i += 1;
                            if raw || !matches!(n, '"' | '$' | '\\') {
                                word.push('\\');
                            }
                            word.push(n);
                            continue;
                        }
                    }
                    if c == '$' && chars.get(i) == Some(&'{') {
                        let end = braced_end(&chars, i + 1)?;
                        word.push('$');
                        word.extend(&chars[i..end]);
                        i = end;
                        continue;
                    }
                    word.push(c);
                }
                if raw {
                    word.push('"');
                }
            }
            '\\' => {
                if let Some(&n) = chars.get(i) {
                    i += 1;
                    if raw {
                        word.push('\\');
                    }
                    word.push(n);
                }
            }
            '$' if chars.get(i) == Some(&'{') => {
                let end = braced_end(&chars, i + 1)?;
                word.push('$');
                word.extend(&chars[i..end]);
                i = end;
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    Some(words)
}

/// For a `${` whose name starts at `chars[start]`, the index after the closing `}`. `None` when
/// BuildKit's lexer fails on it: no name, a character after the name that is neither `}` nor a
/// modifier, or no closing brace.
fn braced_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start;
    while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') {
        i += 1;
    }
    if i == start {
        return None;
    }
    match chars.get(i)? {
        '}' => Some(i + 1),
        ':' | '-' | '+' | '?' | '=' | '#' | '%' | '/' => {
            let close = chars[i..].iter().position(|&c| c == '}')?;
            Some(i + close + 1)
        }
        _ => None,
    }
}

/// BuildKit's `[\t\v\f\r ]` (the whitespace FROM, EXPOSE, COPY and ADD split on).
pub(crate) fn is_ascii_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_stop_at_first_plain_word() {
        let (rest, flags) = split_flags("--from=build --link /a /b");
        assert_eq!(flags, ["--from=build", "--link"]);
        assert_eq!(rest, "/a /b");
    }

    #[test]
    fn flags_unquote_and_end_at_double_dash() {
        let (rest, flags) = split_flags(r#"--chown="a b" -- --not-a-flag"#);
        assert_eq!(flags, ["--chown=a b"]);
        assert_eq!(rest, " --not-a-flag");
        let (rest, flags) = split_flags("\u{a0} --from=a b");
        assert!(flags.is_empty());
        assert_eq!(rest, "\u{a0} --from=a b");
        let (rest, flags) = split_flags("-x --y");
        assert!(flags.is_empty());
        assert_eq!(rest, "-x --y");
    }

    #[test]
    fn quoted_words_keep_quotes() {
        assert_eq!(quoted_words(r#"A=1 B="2 3" C=a\ b"#, '\\'), ["A=1", r#"B="2 3""#, r"C=a\ b"]);
    }

    #[test]
    fn shell_words_raw_and_cooked() {
        assert_eq!(shell_words(r#"RUN <<"EOF" cat"#, true).unwrap(), ["RUN", "<<\"EOF\"", "cat"]);
        assert_eq!(shell_words(r#""EOF""#, false).unwrap(), ["EOF"]);
        assert_eq!(shell_words("echo \"open", true), None);
        assert_eq!(shell_words(r#""""#, false).unwrap(), Vec::<String>::new());
        assert_eq!(shell_words(r#"<<"${A" x"#, true), None);
        assert_eq!(shell_words("a${B:-c d}e", true).unwrap(), ["a${B:-c d}e"]);
    }
}
