//! What the grader writes for people, apart from reports: stdout that survives a closed pipe,
//! how to draw (colour, Unicode, width), status lines and the spinner on stderr. No grading here.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Writes to stdout; a closed pipe (`grader list | head`) is not an error worth a panic.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// Writes text meant for people: as it is on a capable terminal, in plain ASCII otherwise
/// (see [`Style::unicode`]).
pub fn emit_text(text: &str) {
    if style().unicode {
        emit(text);
    } else {
        // Borderless tables pad their last column: no trailing blanks in a log.
        emit(&ascii(text).lines().map(|l| format!("{}\n", l.trim_end())).collect::<String>());
    }
}

/// How to draw for the reader at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours: a terminal, `NO_COLOR` unset, `TERM` not `dumb`.
    pub color: bool,
    /// Box drawing and symbols such as `·` and `→`: the same conditions. Piped output, a log
    /// file or a dumb terminal gets plain ASCII.
    pub unicode: bool,
    /// The columns a table may take: `COLUMNS`, else the terminal's width, else 80.
    pub width: u16,
}

impl Style {
    /// Plain ASCII, 80 columns: what a pipe gets.
    pub const PLAIN: Style = Style { color: false, unicode: false, width: 80 };
}

/// The style for stdout, from the environment.
pub fn style() -> Style {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let fancy = terminal && !no_color && !dumb;
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<u16>().ok());
    let width = columns
        .or_else(|| if terminal { crossterm::terminal::size().ok().map(|(w, _)| w) } else { None })
        .filter(|w| *w > 0)
        .unwrap_or(80)
        .max(40);
    Style { color: fancy, unicode: fancy, width }
}

/// Whether to colour output (see [`Style::color`]).
pub fn use_color() -> bool {
    style().color
}

/// The text with the grader's own symbols in ASCII, column for column (`·` becomes `-`, `→`
/// becomes `>`), so a table laid out before stays aligned.
pub fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '·' | '─' | '╌' | '┈' => '-',
            '→' => '>',
            '←' => '<',
            '│' | '┆' | '┊' => '|',
            '…' => '.',
            '✓' => '+',
            '✗' => 'x',
            c => c,
        })
        .collect()
}

/// A status line on stderr: above the spinner on a terminal, plain otherwise (CI logs).
pub fn say(progress: &ProgressBar, line: String) {
    if progress.is_hidden() {
        eprintln!("{line}");
    } else {
        progress.println(line);
    }
}

/// A spinner on stderr that shows the current step and the elapsed time (hidden when stderr is
/// not a terminal, e.g. in CI).
pub fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix:.bold} [{elapsed}] {wide_msg}").expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A table for `style`: Unicode borders on a capable terminal, none otherwise (columns
/// separated by spaces), at most `style.width` columns wide.
pub fn table(style: Style) -> comfy_table::Table {
    use comfy_table::{presets, ContentArrangement, Table};
    let mut t = Table::new();
    t.load_preset(if style.unicode { presets::UTF8_FULL_CONDENSED } else { presets::NOTHING })
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(style.width);
    t
}

/// `text` wrapped at word boundaries to `width` columns, the first line starting with `first`
/// and the others with `rest` (a word longer than a line stays whole). Ends with a newline.
pub fn wrap(text: &str, width: u16, first: &str, rest: &str) -> String {
    let width = usize::from(width);
    let (mut out, mut line) = (String::new(), first.to_string());
    let mut empty = true;
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if !empty && len + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_at_words() {
        assert_eq!(super::wrap("aa bb cc dd", 8, "> ", "  "), "> aa bb\n  cc dd\n");
        assert_eq!(super::wrap("abcdefghij", 4, "", ""), "abcdefghij\n");
    }

    #[test]
    fn ascii_keeps_columns() {
        assert_eq!(super::ascii("a · b → c"), "a - b > c");
    }
}
