//! Variable substitution for the one place the parser needs it: a stage's base image, resolved
//! against the global ARG defaults. Quotes are removed and `$VAR`, `${VAR}`, `${VAR:-d}`,
//! `${VAR-d}`, `${VAR:+x}`, `${VAR+x}` are expanded; an unset variable expands to nothing.

/// Variables in scope: name and value (`None` for `ARG NAME` without a default).
#[derive(Debug, Default, Clone)]
pub(crate) struct Env {
    vars: Vec<(String, Option<String>)>,
}

impl Env {
    pub fn set(&mut self, name: &str, value: Option<String>) {
        if let Some(slot) = self.vars.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value;
        } else {
            self.vars.push((name.to_string(), value));
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.as_deref())
    }
}

/// Expands one word. Malformed input (an open quote or `${`) is expanded as far as it goes.
pub(crate) fn expand(word: &str, env: &Env, escape: char) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c == escape {
            if let Some(&n) = chars.get(i) {
                out.push(n);
                i += 1;
            }
        } else if c == '\'' {
            while let Some(&n) = chars.get(i) {
                i += 1;
                if n == '\'' {
                    break;
                }
                out.push(n);
            }
        } else if c == '"' {
            while let Some(&n) = chars.get(i) {
                i += 1;
                if n == '"' {
                    break;
                }
                if n == escape {
                    if let Some(&m) = chars.get(i) {
                        if matches!(m, '"' | '$') || m == escape {
                            out.push(m);
                            i += 1;
                            continue;
                        }
                    }
                    out.push(n);
                } else if n == '$' {
                    i = dollar(&chars, i, env, escape, &mut out);
                } else {
                    out.push(n);
                }
            }
        } else if c == '$' {
            i = dollar(&chars, i, env, escape, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// Expands the variable reference after a `$` at `chars[i-1]`; returns the index after it.
fn dollar(chars: &[char], i: usize, env: &Env, escape: char, out: &mut String) -> usize {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    match chars.get(i) {
        Some('{') => {
            let mut j = i + 1;
            let start = j;
            while j < chars.len() && is_name(chars[j]) {
                j += 1;
            }
            let name: String = chars[start..j].iter().collect();
            // Find the closing brace, allowing nested ${...} in the modifier word.
            let mut depth = 1;
            let mut k = j;
            while k < chars.len() {
                match chars[k] {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            let modifier: String = chars[j..k.min(chars.len())].iter().collect();
            let value = env.get(&name);
            let (colon, op, arg) = split_modifier(&modifier);
            let set = match value {
                Some(v) => !(colon && v.is_empty()),
                None => false,
            };
            match op {
                Some('-') | Some('=') => {
                    if set {
                        out.push_str(value.unwrap_or(""));
                    } else {
                        out.push_str(&expand(arg, env, escape));
                    }
                }
                Some('+') => {
                    if set {
                        out.push_str(&expand(arg, env, escape));
                    }
                }
                _ => out.push_str(value.unwrap_or("")),
            }
            (k + 1).min(chars.len())
        }
        Some(&c) if is_name(c) => {
            let mut j = i;
            while j < chars.len() && is_name(chars[j]) {
                j += 1;
            }
            let name: String = chars[i..j].iter().collect();
            out.push_str(env.get(&name).unwrap_or(""));
            j
        }
        _ => {
            out.push('$');
            i
        }
    }
}

/// `:-word` gives (true, '-', "word"); `+x` gives (false, '+', "x"); anything else no operator.
fn split_modifier(m: &str) -> (bool, Option<char>, &str) {
    let (colon, rest) = match m.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, m),
    };
    let mut it = rest.chars();
    match it.next() {
        Some(op @ ('-' | '+' | '=' | '?')) => (colon, Some(op), it.as_str()),
        _ => (false, None, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        let mut e = Env::default();
        e.set("GO", Some("1.24".into()));
        e.set("EMPTY", Some(String::new()));
        e.set("DECLARED", None);
        e
    }

    #[test]
    fn forms() {
        let e = env();
        assert_eq!(expand("golang:${GO}-trixie", &e, '\\'), "golang:1.24-trixie");
        assert_eq!(expand("golang:$GO", &e, '\\'), "golang:1.24");
        assert_eq!(expand("${NOPE:-alpine:3.20}", &e, '\\'), "alpine:3.20");
        assert_eq!(expand("${EMPTY:-x}", &e, '\\'), "x");
        assert_eq!(expand("${EMPTY-x}", &e, '\\'), "");
        assert_eq!(expand("a${GO:+-go$GO}", &e, '\\'), "a-go1.24");
        assert_eq!(expand("${DECLARED:+x}", &e, '\\'), "");
        assert_eq!(expand("\"alpine\":'$GO'", &e, '\\'), "alpine:$GO");
        assert_eq!(expand("\\$GO", &e, '\\'), "$GO");
        assert_eq!(expand("${GO", &e, '\\'), "1.24");
        assert_eq!(expand("$", &e, '\\'), "$");
    }
}
