//! Path globs shared by `.dockerignore` and the `absent`/`present` checks.
//!
//! The syntax is moby/patternmatcher's: `*` and `?` stay within one `/`-separated component,
//! `**` spans any number of components (zero included), `[...]` is a character class and `\`
//! escapes the next character. Patterns match whole paths.

use anyhow::Result;
use regex::Regex;

/// Translates a pattern to an anchored regular expression.
pub fn compile(pattern: &str) -> Result<Regex> {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                // `**/` is the same as `**`.
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    re.push_str(".*");
                } else {
                    re.push_str("(.*/)?");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' => match chars.next() {
                Some(next) => re.push_str(&regex::escape(&next.to_string())),
                None => re.push_str(r"\\"),
            },
            '[' | ']' | '-' | '^' => re.push(c),
            _ => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Ok(Regex::new(&re)?)
}

/// A set of absolute-path patterns (`/usr/local/go/**`, `**/*.go`) for filesystem checks.
#[derive(Debug, Clone)]
pub struct PathGlobs {
    patterns: Vec<(String, Regex)>,
}

impl PathGlobs {
    pub fn new(patterns: &[String]) -> Result<PathGlobs> {
        let patterns =
            patterns.iter().map(|p| Ok((p.clone(), compile(p.trim_start_matches('/'))?))).collect::<Result<_>>()?;
        Ok(PathGlobs { patterns })
    }

    /// The first pattern matching an absolute path, if any.
    pub fn matching(&self, abs_path: &str) -> Option<&str> {
        let rel = abs_path.trim_start_matches('/');
        self.patterns.iter().find(|(_, re)| re.is_match(rel)).map(|(p, _)| p.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_globs() {
        let g = PathGlobs::new(&["/usr/local/go/**".into(), "**/*.go".into(), "/usr/bin/gcc*".into()]).unwrap();
        assert_eq!(g.matching("/usr/local/go/bin/go"), Some("/usr/local/go/**"));
        assert_eq!(g.matching("/src/app/main.go"), Some("**/*.go"));
        assert_eq!(g.matching("/main.go"), Some("**/*.go"));
        assert_eq!(g.matching("/usr/bin/gcc-14"), Some("/usr/bin/gcc*"));
        assert_eq!(g.matching("/usr/bin/g++"), None);
        assert_eq!(g.matching("/usr/local/gopher"), None);
    }
}
