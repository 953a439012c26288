//! First pass over one logical line: keyword, flag words, arguments and (for the instructions
//! that take it) the JSON form. This is what BuildKit's line parser does before it knows about
//! stages; the per-instruction rules live in `instruction.rs`.

use super::words::{is_ascii_space, split_flags};

/// One logical line, split but not yet validated.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// The keyword as written (`run`, `Copy`, ...).
    pub keyword: String,
    /// Flag words as BuildKit returns them (`--from=build`), quotes removed.
    pub flag_words: Vec<String>,
    /// The text after the flags, trimmed.
    pub rest: String,
    /// The JSON array when the instruction takes the exec form and `rest` is one.
    pub json: Option<Vec<String>>,
    /// For ONBUILD: the trigger.
    pub sub: Option<Box<Node>>,
}

impl Node {
    /// Whether heredocs are read after this line: RUN, COPY and ADD in shell form, also as an
    /// ONBUILD trigger.
    pub fn can_contain_heredoc(&self) -> bool {
        let node = match &self.sub {
            Some(sub) if self.keyword.eq_ignore_ascii_case("ONBUILD") => sub,
            _ => self,
        };
        let kw = node.keyword.to_ascii_uppercase();
        matches!(kw.as_str(), "RUN" | "COPY" | "ADD") && node.json.is_none()
    }
}

/// Splits a logical line. Errors are the ones BuildKit's line parser raises itself.
pub(crate) fn split_line(line: &str) -> Result<Node, String> {
    let trimmed = line.trim();
    let (keyword, after) = match trimmed.find(is_ascii_space) {
        Some(i) => (&trimmed[..i], Some(trimmed[i..].trim_start_matches(is_ascii_space))),
        None => (trimmed, None),
    };
    let (rest, flag_words) = match after {
        Some(a) => {
            let (r, f) = split_flags(a);
            (r.trim().to_string(), f)
        }
        None => (String::new(), Vec::new()),
    };
    let mut node = Node { keyword: keyword.to_string(), flag_words, rest, json: None, sub: None };
    match keyword.to_ascii_uppercase().as_str() {
        "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "COPY" | "ADD" | "VOLUME" => {
            node.json = parse_json(&node.rest)?;
        }
        "HEALTHCHECK" => {
            let r = node.rest.as_str();
            if let Some(i) = r.find(char::is_whitespace) {
                node.json = parse_json(r[i..].trim_start())?;
            }
        }
        "ONBUILD" if !node.rest.is_empty() => {
            node.sub = Some(Box::new(split_line(&node.rest)?));
        }
        _ => {}
    }
    Ok(node)
}

/// `Ok(Some(array))` for a JSON array of strings, `Ok(None)` when the text is not a JSON array
/// (shell form), and an error for a JSON array holding anything but strings.
fn parse_json(rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let values: Vec<serde_json::Value> = match serde_json::from_str(rest) {
        Ok(v) => v,
        Err(_) => return Ok(None),
    };
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err("when using JSON array syntax, arrays must be comprised of strings only (expected [\"executable\", \"param\"], every element in double quotes)".to_string()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_and_shell() {
        let n = split_line(r#"CMD ["a", "b c"]"#).unwrap();
        assert_eq!(n.json.unwrap(), ["a", "b c"]);
        let n = split_line(r#"CMD ["a", "b c"] x"#).unwrap();
        assert!(n.json.is_none());
        assert!(split_line(r#"RUN ["a", 1]"#).is_err());
        let n = split_line(r#"ENV X=["a"]"#).unwrap();
        assert!(n.json.is_none());
    }

    #[test]
    fn healthcheck_and_onbuild() {
        let n = split_line(r#"HEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]"#).unwrap();
        assert_eq!(n.flag_words, ["--interval=5s"]);
        assert_eq!(n.json.unwrap(), ["curl", "-f", "x"]);
        let n = split_line("onbuild COPY --from=a <<EOF /x").unwrap();
        let sub = n.sub.as_ref().unwrap();
        assert_eq!(sub.keyword, "COPY");
        assert_eq!(sub.flag_words, ["--from=a"]);
        assert!(n.can_contain_heredoc());
    }
}
