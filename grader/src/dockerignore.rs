//! `.dockerignore` with Docker's semantics, not gitignore's.
//!
//! The engine does not apply `.dockerignore` to a context uploaded as a tar: the client must.
//! This follows the docker CLI (moby/patternmatcher): every pattern is relative to the context
//! root (a leading `/` is dropped), `*` and `?` stay within a path component, `**` spans any
//! number of components, `!` re-includes, the last matching pattern wins, and a path is matched
//! when it or any of its parent directories matches.

use anyhow::{Context, Result};
use regex::Regex;

use crate::glob::compile;

#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern, without its leading `!`.
    text: String,
    exclusion: bool,
    regex: Regex,
}

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct Dockerignore {
    patterns: Vec<Pattern>,
}

impl Dockerignore {
    /// Reads an ignore file; a missing file ignores nothing.
    pub fn load_file(path: &std::path::Path) -> Result<Dockerignore> {
        match std::fs::read_to_string(path) {
            Ok(text) => Dockerignore::parse(&text).with_context(|| format!("in {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Dockerignore::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Parses the file's text line by line, as the docker CLI reads it.
    pub fn parse(text: &str) -> Result<Dockerignore> {
        let mut patterns = Vec::new();
        for (n, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
            // A comment is a line whose first character is '#', before trimming, as in the CLI.
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let exclusion = p.starts_with('!');
            if exclusion {
                p = p[1..].trim();
            }
            if p.is_empty() {
                continue;
            }
            let mut cleaned = clean(p);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let regex =
                compile(&cleaned).with_context(|| format!("line {}: `{line}` is not a valid pattern", n + 1))?;
            patterns.push(Pattern { text: cleaned, exclusion, regex });
        }
        Ok(Dockerignore { patterns })
    }

    /// Adds a pattern after the file's own (later patterns win), e.g. `!Dockerfile`.
    pub fn push(&mut self, pattern: &str) {
        let exclusion = pattern.starts_with('!');
        let text = clean(pattern.trim_start_matches('!'));
        let regex = compile(&text).expect("patterns added by the grader compile");
        self.patterns.push(Pattern { text, exclusion, regex });
    }

    /// Whether `path` (relative to the context root, `/`-separated) is left out of the context.
    pub fn excludes(&self, path: &str) -> bool {
        let parents: Vec<&str> = match path.rfind('/') {
            Some(i) => path[..i].split('/').collect(),
            None => Vec::new(),
        };
        let mut matched = false;
        for p in &self.patterns {
            // An exclusion pattern can only change a matched path; an inclusion only an unmatched one.
            if p.exclusion != matched {
                continue;
            }
            let mut hit = p.regex.is_match(path);
            if !hit {
                hit = (1..=parents.len()).any(|i| p.regex.is_match(&parents[..i].join("/")));
            }
            if hit {
                matched = !p.exclusion;
            }
        }
        matched
    }

    /// Whether the walk must enter an excluded directory because an exception may re-include
    /// something inside it (the CLI's rule: an exception pattern starts with `<dir>/`).
    pub fn must_descend(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.patterns.iter().any(|p| p.exclusion && format!("{}/", p.text).starts_with(&prefix))
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// Lexical path cleaning like Go's `filepath.Clean` on `/`-separated paths.
fn clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            _ => out.push(part),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn di(text: &str) -> Dockerignore {
        Dockerignore::parse(text).unwrap()
    }

    #[test]
    fn patterns_are_anchored_at_the_context_root() {
        let d = di("secret.txt\n");
        assert!(d.excludes("secret.txt"));
        assert!(!d.excludes("sub/secret.txt"), "unlike gitignore, a bare name does not match deeper");
    }

    #[test]
    fn leading_slash_is_the_root_too() {
        let d = di("/build\n");
        assert!(d.excludes("build"));
        assert!(d.excludes("build/out.bin"), "children of an excluded directory are excluded");
        assert!(!d.excludes("src/build"));
    }

    #[test]
    fn single_star_stays_in_one_component() {
        let d = di("*.pem\n*/temp*\n");
        assert!(d.excludes("key.pem"));
        assert!(!d.excludes("certs/key.pem"));
        assert!(d.excludes("a/temporary.txt"));
        assert!(!d.excludes("a/b/temporary.txt"));
    }

    #[test]
    fn double_star_spans_directories() {
        let d = di("**/*.go\n");
        assert!(d.excludes("main.go"), "** matches zero directories");
        assert!(d.excludes("cmd/server/main.go"));
        assert!(!d.excludes("go.mod"));
        let d = di("node_modules/**\n");
        assert!(d.excludes("node_modules/x/index.js"));
        let d = di("a/**/z\n");
        assert!(d.excludes("a/z") && d.excludes("a/b/c/z"));
    }

    #[test]
    fn exceptions_reinclude_and_last_match_wins() {
        let d = di("*.md\n!README.md\n");
        assert!(d.excludes("CHANGES.md"));
        assert!(!d.excludes("README.md"));
        let d = di("!README.md\n*.md\n");
        assert!(d.excludes("README.md"), "a later exclusion overrides an earlier exception");
    }

    #[test]
    fn exception_inside_excluded_directory() {
        let d = di("docs\n!docs/keep.txt\n");
        assert!(d.excludes("docs/other.txt"));
        assert!(!d.excludes("docs/keep.txt"));
        assert!(d.must_descend("docs"));
        assert!(!di("docs\n").must_descend("docs"));
    }

    #[test]
    fn comments_blank_lines_and_whitespace() {
        let d = di("# a comment\n\n   .env   \n#.git\n");
        assert!(d.excludes(".env"));
        assert!(!d.excludes(".git"));
        assert!(!d.excludes("# a comment"));
    }

    #[test]
    fn patterns_are_cleaned() {
        let d = di("./logs/../tmp//\n");
        assert!(d.excludes("tmp/x"));
        assert!(!d.excludes("logs"));
    }

    #[test]
    fn question_mark_and_classes() {
        let d = di("file?.txt\n[ab].bin\n");
        assert!(d.excludes("file1.txt") && !d.excludes("file10.txt"));
        assert!(d.excludes("a.bin") && !d.excludes("c.bin"));
    }

    #[test]
    fn star_alone_excludes_everything_until_an_exception() {
        let d = di("*\n!src\n!go.mod\n");
        assert!(d.excludes("README.md"));
        assert!(!d.excludes("src/main.go"));
        assert!(!d.excludes("go.mod"));
    }

    #[test]
    fn pushed_exceptions_come_last() {
        let mut d = di("Dockerfile\n");
        d.push("!Dockerfile");
        assert!(!d.excludes("Dockerfile"));
    }
}
