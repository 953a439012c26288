//! The Dockerfile parser. Two passes, as in BuildKit: first the physical lines become logical
//! instructions (directives, continuations, comments, heredoc bodies); then each instruction is
//! checked against its own rules and the instructions are grouped into stages.

mod error;
pub(crate) mod expand;
pub(crate) mod heredoc;
mod instruction;
mod node;
mod words;

pub use error::ParseError;
pub use instruction::KEYWORDS;

use crate::ast::{Directive, Dockerfile, Heredoc, Instruction, LineSpan, Stage};
use expand::{expand, Env};
use node::Node;

/// The longest Dockerfile line Docker's parsers read (Go's `bufio.Scanner` default token size):
/// a longer one makes the engine reject the whole file.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Parses a Dockerfile. Accepts what a current Docker engine (BuildKit) accepts; rejects unknown
/// instructions, instructions other than ARG before the first FROM, a FROM without image or
/// with `AS` but no name, unterminated heredocs, a file without FROM and a line longer than
/// [`MAX_LINE_BYTES`]. Never panics.
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    if let Some((n, line)) = src.split('\n').enumerate().find(|(_, l)| l.len() > MAX_LINE_BYTES) {
        return Err(ParseError::new(
            n + 1,
            format!(
                "this line is {} bytes long; Docker reads Dockerfile lines of at most 64 KiB ({MAX_LINE_BYTES} \
                 bytes) and would reject the file. Split it with `\\` continuations, or move the data into a \
                 file you COPY",
                line.len()
            ),
        ));
    }
    let lexed = lex(src)?;
    assemble(lexed, src)
}

/// A logical instruction from the first pass.
struct Logical {
    node: Node,
    joined: String,
    lines: LineSpan,
    heredocs: Vec<Heredoc>,
    comments: Vec<String>,
}

struct Lexed {
    directives: Vec<Directive>,
    escape: char,
    instructions: Vec<Logical>,
    line_count: usize,
}

/// The physical lines: split on `\n`, a final empty piece dropped, the BOM removed from the
/// first line, and trailing `\r`s removed (CRLF files).
fn physical_lines(src: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = src.split('\n').collect();
    if src.ends_with('\n') || src.is_empty() {
        lines.pop();
    }
    if let Some(first) = lines.first_mut() {
        *first = first.strip_prefix('\u{feff}').unwrap_or(first);
    }
    for l in &mut lines {
        *l = l.trim_end_matches('\r');
    }
    lines
}

/// Directive state: looked for only until the first line that is not one.
struct Directives {
    done: bool,
    found: Vec<Directive>,
    escape: char,
}

impl Directives {
    /// Records `line` if it is a directive; returns whether it was one.
    fn look_at(&mut self, line: &str, number: usize) -> Result<bool, ParseError> {
        if self.done {
            return Ok(false);
        }
        let Some((name, value)) = directive_of(line) else {
            self.done = true;
            return Ok(false);
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(false);
        }
        if let Some(first) = self.found.iter().find(|d| d.name == name) {
            return Err(ParseError::new(
                number,
                format!("only one {name} parser directive can be used (line {} already sets it)", first.line),
            ));
        }
        if name == "escape" {
            self.escape = match value.as_str() {
                "\\" => '\\',
                "`" => '`',
                _ => {
                    return Err(ParseError::new(
                        number,
                        format!("invalid escape token '{value}' does not match ` or \\"),
                    ))
                }
            };
        }
        self.found.push(Directive { name, value, line: number });
        Ok(true)
    }
}

/// `# name = value` (BuildKit's `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`).
fn directive_of(line: &str) -> Option<(String, String)> {
    let is_s = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r');
    let rest = line.strip_prefix('#')?.trim_start_matches(char::is_whitespace);
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let (name, after) = rest.split_at(name_len);
    let after = after.trim_start_matches(is_s).strip_prefix('=')?;
    let value = after.trim_start_matches(is_s);
    let value = value.trim_end_matches(is_s);
    if value.is_empty() {
        // `.+?` needs one character: with only whitespace after `=`, it takes the last one.
        return after.chars().last().map(|c| (name.to_string(), c.to_string()));
    }
    Some((name.to_string(), value.to_string()))
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Removes a line-continuation escape at the end of `line`: the escape character followed only
/// by spaces or tabs, and not itself escaped. Returns the text and whether the line continues.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let s = line.trim_end_matches([' ', '\t']);
    if let Some(before) = s.strip_suffix(escape) {
        if before.is_empty() || !before.ends_with(escape) {
            return (before, true);
        }
    }
    (line, false)
}

fn lex(src: &str) -> Result<Lexed, ParseError> {
    let lines = physical_lines(src);
    let mut directives = Directives { done: false, found: Vec::new(), escape: '\\' };
    let mut out = Vec::new();
    let mut comments = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i].trim_start();
        i += 1;
        let start = i;
        let is_directive = directives.look_at(first, start)?;
        let escape = directives.escape;
        let content = if is_comment(first) {
            if !is_directive {
                comments.push(first.trim_start_matches('#').trim().to_string());
            }
            ""
        } else {
            first
        };
        let (text, mut continues) = trim_continuation(content, escape);
        if !continues && text.is_empty() {
            continue;
        }
        let mut joined = text.to_string();
        while continues && i < lines.len() {
            let line = lines[i];
            i += 1;
            if is_comment(line) || line.trim_start().is_empty() {
                continue;
            }
            let (text, c) = trim_continuation(line, escape);
            joined.push_str(text);
            continues = c;
        }
        let node = node::split_line(&joined).map_err(|m| ParseError::new(start, m))?;
        let mut heredocs = Vec::new();
        if node.can_contain_heredoc() {
            for opener in heredoc::openers_in_line(&joined) {
                let mut body = String::new();
                let mut terminated = false;
                while i < lines.len() {
                    let line = lines[i];
                    i += 1;
                    let candidate = if opener.strip_tabs { line.trim_start_matches('\t') } else { line };
                    if candidate == opener.name {
                        terminated = true;
                        break;
                    }
                    body.push_str(line);
                    body.push('\n');
                }
                if !terminated {
                    return Err(ParseError::new(
                        start,
                        format!(
                            "unterminated heredoc: expected a line {:?} to close the heredoc opened here",
                            opener.name
                        ),
                    ));
                }
                if opener.strip_tabs {
                    body = heredoc::strip_leading_tabs(&body);
                }
                heredocs.push(Heredoc {
                    delimiter: opener.name,
                    body,
                    strip_tabs: opener.strip_tabs,
                    quoted: opener.quoted,
                });
            }
        }
        out.push(Logical {
            node,
            joined,
            lines: LineSpan { start, end: i },
            heredocs,
            comments: std::mem::take(&mut comments),
        });
    }
    Ok(Lexed { directives: directives.found, escape: directives.escape, instructions: out, line_count: lines.len() })
}

fn assemble(lexed: Lexed, src: &str) -> Result<Dockerfile, ParseError> {
    let lines = physical_lines(src);
    let escape = lexed.escape;
    let mut global_args: Vec<Instruction> = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut env = Env::default();
    let last_line = lexed.line_count.max(1);
    if lexed.instructions.is_empty() {
        return Err(ParseError::new(last_line, "file with no instructions (expected at least one FROM)"));
    }
    for logical in lexed.instructions {
        let span = logical.lines;
        let raw = lines
            .get(span.start.saturating_sub(1)..span.end.min(lines.len()))
            .map(|ls| ls.join("\n"))
            .unwrap_or_default();
        let mut ins = instruction::build(&logical.node, span, &raw, &logical.joined, logical.heredocs, escape)
            .map_err(|m| ParseError::new(span.start, m))?;
        ins.comments = logical.comments;
        match ins.keyword.as_str() {
            "FROM" => {
                let stage = new_stage(ins, &stages, &env, escape);
                stages.push(stage);
            }
            "ARG" if stages.is_empty() => {
                for word in words::quoted_words(ins.args.shell().unwrap_or(""), escape) {
                    match word.split_once('=') {
                        Some((name, value)) => {
                            let value = expand(value, &env, escape);
                            env.set(name, Some(value));
                        }
                        None => env.set(&word, None),
                    }
                }
                global_args.push(ins);
            }
            _ => match stages.last_mut() {
                Some(stage) => stage.instructions.push(ins),
                None => {
                    return Err(ParseError::new(
                        span.start,
                        format!(
                            "{} before the first FROM: only ARG may come before FROM (expected FROM <image>)",
                            ins.keyword
                        ),
                    ))
                }
            },
        }
    }
    if stages.is_empty() {
        return Err(ParseError::new(
            last_line,
            "no FROM instruction: a Dockerfile needs at least one build stage (expected FROM <image>)",
        ));
    }
    Ok(Dockerfile { directives: lexed.directives, escape, global_args, stages })
}

fn new_stage(from: Instruction, earlier: &[Stage], env: &Env, escape: char) -> Stage {
    let words = from.arg_list();
    let base = words.first().cloned().unwrap_or_default();
    let name = words.get(2).map(|n| n.to_lowercase());
    let base_resolved = expand(&base, env, escape);
    let lower = base_resolved.to_lowercase();
    let base_stage = earlier.iter().rev().find(|s| s.name.as_deref() == Some(lower.as_str())).map(|s| s.index);
    Stage {
        index: earlier.len(),
        name,
        base,
        base_resolved,
        base_stage,
        platform: from.flag("platform").map(str::to_string),
        instructions: vec![from],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation() {
        assert_eq!(trim_continuation("RUN a \\", '\\'), ("RUN a ", true));
        assert_eq!(trim_continuation("RUN a \\  \t", '\\'), ("RUN a ", true));
        assert_eq!(trim_continuation("\\", '\\'), ("", true));
        assert_eq!(trim_continuation("RUN a \\\\", '\\'), ("RUN a \\\\", false));
        assert_eq!(trim_continuation("RUN a `", '`'), ("RUN a ", true));
        assert_eq!(trim_continuation("RUN a \\", '`'), ("RUN a \\", false));
    }

    #[test]
    fn directives() {
        assert_eq!(
            directive_of("# syntax = docker/dockerfile:1 "),
            Some(("syntax".into(), "docker/dockerfile:1".into()))
        );
        assert_eq!(directive_of("#escape=`"), Some(("escape".into(), "`".into())));
        assert_eq!(directive_of("# not a directive"), None);
        assert_eq!(directive_of("# syntax="), None);
        assert_eq!(directive_of("# 1x=y"), None);
    }
}
