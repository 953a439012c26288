//! Second pass over one logical line: the rules each instruction has (argument counts, flags it
//! accepts, stage names), turning a `Node` into an `Instruction`. Messages say what was expected.

use super::node::Node;
use super::words::quoted_words;
use crate::ast::{Arguments, Flag, Heredoc, Instruction, LineSpan};

/// Every instruction keyword BuildKit knows, upper-case.
pub const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// How a flag takes its value.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `--from=x`: a value is required, once.
    Value,
    /// `--mount=x`: a value is required; the flag may repeat.
    Repeat,
    /// `--link` or `--link=true|false`.
    Bool,
}

/// The flags an instruction accepts (BuildKit rejects others), or `None` when it does not check.
fn accepted_flags(keyword: &str) -> Option<&'static [(&'static str, Kind)]> {
    use Kind::*;
    Some(match keyword {
        "FROM" => &[("platform", Value)],
        "RUN" => &[("mount", Repeat), ("network", Value), ("security", Value), ("device", Repeat)],
        "COPY" => &[
            ("from", Value),
            ("chown", Value),
            ("chmod", Value),
            ("link", Bool),
            ("parents", Bool),
            ("exclude", Repeat),
        ],
        "ADD" => &[
            ("chown", Value),
            ("chmod", Value),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", Value),
            ("unpack", Bool),
            ("exclude", Repeat),
            ("parents", Bool),
        ],
        "HEALTHCHECK" => &[
            ("interval", Value),
            ("timeout", Value),
            ("start-period", Value),
            ("start-interval", Value),
            ("retries", Value),
        ],
        // BuildKit never parses the flags of these two, so it accepts any.
        "ARG" | "STOPSIGNAL" => return None,
        _ => &[],
    })
}

/// Turns a flag word (`--from=build`) into a `Flag`.
fn to_flag(word: &str) -> Flag {
    let body = word.strip_prefix("--").unwrap_or(word);
    match body.split_once('=') {
        Some((n, v)) => Flag { name: n.to_string(), value: Some(v.to_string()) },
        None => Flag { name: body.to_string(), value: None },
    }
}

fn check_flags(keyword: &str, flags: &[Flag]) -> Result<(), String> {
    let Some(accepted) = accepted_flags(keyword) else {
        return Ok(());
    };
    let names = || {
        if accepted.is_empty() {
            format!("{keyword} takes no flags")
        } else {
            let list: Vec<String> = accepted.iter().map(|(n, _)| format!("--{n}")).collect();
            format!("{keyword} accepts {}", list.join(", "))
        }
    };
    for (i, f) in flags.iter().enumerate() {
        let Some(&(_, kind)) = accepted.iter().find(|(n, _)| *n == f.name) else {
            let close = accepted
                .iter()
                .map(|(n, _)| (distance(&f.name, n), *n))
                .filter(|(d, _)| *d <= 2 && *d < f.name.len())
                .min_by_key(|(d, _)| *d);
            return Err(match close {
                Some((_, n)) => format!("unknown flag: --{} (did you mean --{n}?)", f.name),
                None => format!("unknown flag: --{} ({})", f.name, names()),
            });
        };
        match (kind, &f.value) {
            (Kind::Value | Kind::Repeat, None) => {
                return Err(format!("missing a value on flag --{0}: expected --{0}=<value>", f.name))
            }
            (Kind::Bool, Some(v)) if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") => {
                return Err(format!("expecting boolean value for flag --{}, not: {v}", f.name))
            }
            _ => {}
        }
        if kind != Kind::Repeat && flags[..i].iter().any(|g| g.name == f.name) {
            return Err(format!("duplicate flag specified: --{}", f.name));
        }
    }
    Ok(())
}

/// The closest known keyword, for "did you mean" hints.
fn suggest(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_uppercase();
    KEYWORDS
        .iter()
        .map(|k| (distance(&w, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < w.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Validates `node` and builds the instruction. `escape` is the file's escape character.
pub(crate) fn build(
    node: &Node,
    lines: LineSpan,
    raw: &str,
    joined: &str,
    heredocs: Vec<Heredoc>,
    escape: char,
) -> Result<Instruction, String> {
    let keyword = node.keyword.to_ascii_uppercase();
    if !KEYWORDS.contains(&keyword.as_str()) {
        let mut msg = format!("unknown instruction: {}", node.keyword);
        match suggest(&node.keyword) {
            Some(k) => msg.push_str(&format!(" (did you mean {k}?)")),
            None => msg.push_str(" (expected an instruction such as FROM, RUN, COPY, CMD)"),
        }
        return Err(msg);
    }
    let flags: Vec<Flag> = node.flag_words.iter().map(|w| to_flag(w)).collect();
    let rest = node.rest.as_str();
    let args = match &node.json {
        Some(v) if keyword == "HEALTHCHECK" => {
            let typ = rest.split(char::is_whitespace).next().unwrap_or("");
            let mut all = vec![typ.to_string()];
            all.extend(v.iter().cloned());
            Arguments::Exec(all)
        }
        Some(v) => Arguments::Exec(v.clone()),
        None => Arguments::Shell(rest.to_string()),
    };
    let mut instruction = Instruction {
        keyword: keyword.clone(),
        lines,
        flags,
        args,
        heredocs,
        onbuild: None,
        raw: raw.to_string(),
        joined: joined.to_string(),
        comments: Vec::new(),
    };
    check_arguments(&mut instruction, node, escape)?;
    if keyword != "HEALTHCHECK" {
        check_flags(&keyword, &instruction.flags)?;
    }
    Ok(instruction)
}

fn check_arguments(ins: &mut Instruction, node: &Node, escape: char) -> Result<(), String> {
    let kw = ins.keyword.clone();
    let rest = node.rest.as_str();
    let need_one = |what: &str| -> Result<(), String> {
        if rest.is_empty() {
            Err(format!("{kw} requires {what}"))
        } else {
            Ok(())
        }
    };
    match kw.as_str() {
        "FROM" => {
            let words = ins.arg_list();
            match words.len() {
                0 => return Err("FROM requires an image name (expected FROM <image> [AS <name>])".into()),
                1 => {}
                2 if words[1].eq_ignore_ascii_case("as") => {
                    return Err(format!(
                        "FROM {} {}: expected a stage name after {}",
                        words[0], words[1], words[1]
                    ))
                }
                3 if words[1].eq_ignore_ascii_case("as") => {
                    let name = words[2].to_lowercase();
                    if !valid_stage_name(&name) {
                        return Err(format!(
                            "invalid name for build stage: {:?}: a stage name starts with a letter and contains only letters, digits, '-', '_' and '.'",
                            words[2]
                        ));
                    }
                }
                _ => {
                    return Err(format!(
                        "FROM requires either one or three arguments (expected FROM <image> [AS <name>]), got: {}",
                        words.join(" ")
                    ))
                }
            }
        }
        "ARG" => {
            let words = quoted_words(rest, escape);
            if words.is_empty() {
                return Err("ARG requires at least one argument (expected ARG <name>[=<default>])".into());
            }
            if words.iter().any(|w| w.starts_with('=')) {
                return Err("ARG names can not be blank (expected ARG <name>[=<default>])".into());
            }
        }
        "ENV" | "LABEL" => {
            let words = quoted_words(rest, escape);
            let Some(first) = words.first() else {
                return Err(format!(
                    "{kw} requires at least one argument (expected {kw} <key>=<value> ...)"
                ));
            };
            if !first.contains('=') {
                // Legacy form `ENV key value`.
                if !rest.contains(super::words::is_ascii_space) {
                    return Err(format!(
                        "{kw} must have two arguments (expected {kw} <key>=<value> ...)"
                    ));
                }
            } else {
                for w in &words {
                    if !w.contains('=') {
                        return Err(format!(
                            "syntax error - can't find = in {w:?}; expected {kw} <key>=<value> ..."
                        ));
                    }
                    if w.starts_with('=') {
                        return Err(format!("{kw} names can not be blank"));
                    }
                }
            }
        }
        "MAINTAINER" | "USER" | "WORKDIR" | "STOPSIGNAL" => need_one("exactly one argument")?,
        "EXPOSE" => need_one("at least one argument (expected EXPOSE <port>[/<protocol>] ...)")?,
        "VOLUME" => {
            need_one("at least one argument (expected VOLUME <path> ...)")?;
            if ins.arg_list().iter().any(|v| v.trim().is_empty()) {
                return Err("VOLUME specified can not be an empty string".into());
            }
        }
        "COPY" | "ADD" => {
            let list = ins.arg_list();
            if list.len() < 2 {
                return Err(format!(
                    "{kw} requires at least two arguments, but only one was provided. Destination could not be determined (expected {kw} <src>... <dest>)"
                ));
            }
            if list
                .last()
                .is_some_and(|d| super::heredoc::parse_opener(d).is_some())
            {
                return Err(format!("{kw} cannot accept a heredoc as a destination"));
            }
        }
        "SHELL" => match &ins.args {
            Arguments::Exec(v) if !v.is_empty() => {}
            Arguments::Exec(_) => return Err("SHELL requires at least one argument".into()),
            Arguments::Shell(_) => {
                return Err(format!(
                    "SHELL requires the arguments to be in JSON form (expected SHELL [\"executable\", \"parameters\"]), got: {rest}"
                ))
            }
        },
        "HEALTHCHECK" => {
            let typ = rest
                .split(char::is_whitespace)
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let cmd_rest = rest
                .find(char::is_whitespace)
                .map_or("", |i| rest[i..].trim());
            match typ.as_str() {
                "" => {
                    return Err(
                        "HEALTHCHECK requires at least one argument (expected HEALTHCHECK NONE or HEALTHCHECK [flags] CMD <command>)".into(),
                    )
                }
                "NONE" => {
                    if !cmd_rest.is_empty() {
                        return Err("HEALTHCHECK NONE takes no arguments".into());
                    }
                }
                "CMD" => {
                    check_flags("HEALTHCHECK", &ins.flags)?;
                    let empty = match &node.json {
                        Some(v) => v.is_empty(),
                        None => cmd_rest.is_empty(),
                    };
                    if empty {
                        return Err("missing command after HEALTHCHECK CMD".into());
                    }
                }
                _ => {
                    return Err(format!(
                        "unknown type {typ:?} in HEALTHCHECK (expected CMD or NONE)"
                    ))
                }
            }
        }
        "ONBUILD" => {
            let Some(sub) = &node.sub else {
                return Err("ONBUILD requires at least one argument (expected ONBUILD <instruction>)".into());
            };
            let trigger = sub.keyword.to_ascii_uppercase();
            match trigger.as_str() {
                "ONBUILD" => {
                    return Err("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into())
                }
                "FROM" | "MAINTAINER" => {
                    return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"))
                }
                _ => {}
            }
            let inner = build(
                sub,
                ins.lines,
                &node.rest,
                &node.rest,
                ins.heredocs.clone(),
                escape,
            )?;
            ins.onbuild = Some(Box::new(inner));
        }
        _ => {}
    }
    Ok(())
}

/// BuildKit's `^[a-z][a-z0-9-_\.]*$`, applied to the lower-cased name.
pub(crate) fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("RUNN"), Some("RUN"));
        assert_eq!(suggest("COPPY"), Some("COPY"));
        assert_eq!(suggest("ENTRYPONT"), Some("ENTRYPOINT"));
        assert_eq!(suggest("XYZZY"), None);
    }

    #[test]
    fn stage_names() {
        assert!(valid_stage_name("build-env_1.2"));
        assert!(!valid_stage_name("1st"));
        assert!(!valid_stage_name("a/b"));
        assert!(!valid_stage_name(""));
    }

    #[test]
    fn flags() {
        let f = |w: &[&str]| w.iter().map(|w| to_flag(w)).collect::<Vec<_>>();
        assert!(check_flags("COPY", &f(&["--from=a", "--link"])).is_ok());
        assert!(check_flags("COPY", &f(&["--link=maybe"])).is_err());
        assert!(check_flags("COPY", &f(&["--from"])).is_err());
        assert!(check_flags("COPY", &f(&["--from=a", "--from=b"])).is_err());
        assert!(check_flags("RUN", &f(&["--mount=a", "--mount=b"])).is_ok());
        assert!(check_flags("ENV", &f(&["--x=1"])).is_err());
        assert!(check_flags("ARG", &f(&["--x=1"])).is_ok());
    }
}
