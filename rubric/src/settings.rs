//! A check's kind-specific settings as short markdown phrases ("≤ 20 MB", "port: 8080"),
//! read generically through the spec types' `Serialize` impl: a new check kind, or a new
//! setting on an old one, renders without a change here. Only the shape of a key is
//! interpreted: a `max`/`min` first word becomes `≤`/`≥`, a unit last word (`mb`, `s`, ...)
//! becomes the unit, and the key `what` is prose rather than code.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use workbook::spec::CheckKind;

/// The settings of a check kind, in the order the spec type declares them (serde_json's `Value`
/// would sort them; the order of the struct reads better: port before path before status).
/// Settings that say how the grader runs the image rather than what it measures are left out
/// (see [`HOW_IT_RUNS`]).
pub fn of(kind: &CheckKind) -> Vec<(String, Value)> {
    // Serializing a struct writes its fields in declaration order; read them back in that order.
    let text = serde_json::to_string(kind).expect("spec types serialize to JSON");
    let Ordered(fields) = serde_json::from_str(&text).expect("a check kind serializes to a JSON object");
    fields.into_iter().filter(|(k, _)| k != "kind" && !HOW_IT_RUNS.contains(&k.as_str())).collect()
}

/// How a check runs the image, not what it measures: the environment it starts it with, the
/// per-run identity request, the bases each target must start from; and, with them, the image
/// and files an `absent` check compares copies against (`copies_of`). Their values are long
/// unbreakable tokens (`CLOCK_ZONES=UTC,Europe/Paris,…`) that pushed the rubric table past a
/// phone's width; the exercise's README and the checks reference page explain them.
const HOW_IT_RUNS: &[&str] = &["env", "identity", "bases", "copies_of"];

/// The settings as phrases, empty values left out; the prose `what` (if any) first.
pub fn phrases(settings: &[(String, Value)]) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in settings {
        if is_empty(value) {
            continue;
        }
        if key == "what" || key == "description" {
            if let Value::String(s) = value {
                out.insert(0, cell_text(s));
                continue;
            }
        }
        out.push(phrase(key, value));
    }
    out
}

/// One setting: `max_mb = 20` is "≤ 20 MB", `timeout_s = 20` is "timeout: 20 s",
/// `final_base = [...]` is "final base: `a`, `b`".
pub fn phrase(key: &str, value: &Value) -> String {
    let mut words: Vec<&str> = key.split(['_', '-']).filter(|w| !w.is_empty()).collect();
    let cmp = match words.first() {
        Some(&"max") => Some("≤"),
        Some(&"min") => Some("≥"),
        _ => None,
    };
    if cmp.is_some() {
        words.remove(0);
    }
    let unit = match words.last().map(|w| unit(w)) {
        Some(Some(u)) if value.is_number() => {
            words.pop();
            Some(u)
        }
        _ => None,
    };
    let label = words.join(" ");
    let mut v = render_value(value);
    if let Some(u) = unit {
        if u == "%" {
            v.push('%');
        } else {
            v = format!("{v} {u}");
        }
    }
    match (cmp, label.is_empty()) {
        (Some(c), true) => format!("{c} {v}"),
        (Some(c), false) => format!("{label} {c} {v}"),
        (None, true) => v,
        (None, false) => match value {
            Value::Bool(true) => label,
            Value::Bool(false) => format!("not {label}"),
            // "within 3 s" reads better than "within: 3 s".
            _ if PREPOSITIONS.contains(&label.as_str()) => format!("{label} {v}"),
            _ => format!("{label}: {v}"),
        },
    }
}

const PREPOSITIONS: &[&str] = &["within", "under", "over", "after", "before", "below", "above"];

fn unit(word: &str) -> Option<&'static str> {
    Some(match word {
        "mb" => "MB",
        "kb" => "kB",
        "gb" => "GB",
        "s" | "secs" | "seconds" => "s",
        "ms" => "ms",
        "pct" | "percent" => "%",
        _ => return None,
    })
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        // A switch that is off is a default, not a target worth a phrase.
        Value::Bool(b) => !b,
        _ => false,
    }
}

/// Lists of more than this many items are folded into a `<details>`.
const FOLD_AFTER: usize = 4;

fn render_value(v: &Value) -> String {
    match v {
        Value::Number(n) => number(n),
        Value::String(s) => code(s),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(render_value).collect();
            if parts.len() > FOLD_AFTER {
                format!("<details><summary>{} items</summary>{}</details>", parts.len(), parts.join(", "))
            } else {
                parts.join(", ")
            }
        }
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => code(&format!("{k}={s}")),
                other => code(&format!("{k}={other}")),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// A markdown code span that survives any content and a table cell.
pub fn code(s: &str) -> String {
    let s = s.replace('\n', " ");
    let fence = if s.contains('`') { "``" } else { "`" };
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    cell_text(&format!("{fence}{pad}{s}{pad}{fence}"))
}

/// Text made safe for one markdown table cell: no line breaks, pipes escaped.
pub fn cell_text(s: &str) -> String {
    s.replace('\n', " ").replace('|', "\\|")
}

/// A JSON object read back with its keys in document order.
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comparators_and_units_come_from_the_key() {
        assert_eq!(phrase("max_mb", &json!(20.0)), "≤ 20 MB");
        assert_eq!(phrase("max_mb", &json!(7.5)), "≤ 7.5 MB");
        assert_eq!(phrase("min", &json!(2)), "≥ 2");
        assert_eq!(phrase("max_ratio", &json!(0.1)), "ratio ≤ 0.1");
        assert_eq!(phrase("timeout_s", &json!(20)), "timeout: 20 s");
        assert_eq!(phrase("within_s", &json!(3)), "within 3 s");
        assert_eq!(phrase("max_context_mb", &json!(1)), "context ≤ 1 MB");
        assert_eq!(phrase("min_cached_pct", &json!(90)), "cached ≥ 90%");
    }

    #[test]
    fn strings_are_code_lists_are_joined_and_long_lists_fold() {
        assert_eq!(phrase("step", &json!("go mod download")), "step: `go mod download`");
        assert_eq!(phrase("final_base", &json!(["scratch", "gcr.io/x*"])), "final base: `scratch`, `gcr.io/x*`");
        let long = phrase("paths", &json!(["/a", "/b", "/c", "/d", "/e"]));
        assert!(long.starts_with("paths: <details><summary>5 items</summary>`/a`"), "{long}");
    }

    #[test]
    fn how_a_check_runs_the_image_is_not_a_setting_of_the_rubric() {
        let spec = workbook::spec::Spec::parse(
            "format_version = 1\ntitle = \"t\"\nlanguage = \"go\"\nbook = \"x.md\"\n[starter]\nfails = []\n\
             [[check]]\nkind = \"targets\"\npoints = 1\ntargets = [\"a\"]\nmax_mb = 9\nport = 80\n\
             env = { Z = \"UTC\" }\nbases = { a = [\"scratch\"] }\n\
             [check.identity]\npath = \"/x?n={nonce}\"\nbody_contains = \"{nonce}\"\n",
        )
        .unwrap();
        let keys: Vec<String> = of(&spec.checks[0].kind).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["targets", "max_mb", "port", "path", "status"], "{keys:?}");
    }

    #[test]
    fn booleans_read_as_words() {
        assert_eq!(phrase("numeric", &json!(true)), "numeric");
        assert_eq!(phrase("numeric", &json!(false)), "not numeric");
        assert!(phrases(&[("numeric".to_string(), json!(false))]).is_empty());
    }

    #[test]
    fn a_unit_word_on_a_string_is_a_label() {
        // `s` as the last word means seconds only for numbers.
        assert_eq!(phrase("names", &json!("x")), "names: `x`");
        assert_eq!(phrase("path_s", &json!("x")), "path s: `x`");
    }

    #[test]
    fn pipes_and_backticks_cannot_break_a_table_cell() {
        assert_eq!(code("a | b"), "`a \\| b`");
        assert_eq!(code("echo `x`"), "`` echo `x` ``");
    }

    #[test]
    fn maps_render_as_assignments() {
        assert_eq!(phrase("env", &json!({"PORT": "8080"})), "env: `PORT=8080`");
    }

    #[test]
    fn what_comes_first_as_prose_and_empty_values_are_dropped() {
        let settings = vec![
            ("paths".to_string(), json!(["/usr/bin/gcc"])),
            ("what".to_string(), json!("a C compiler")),
            ("cmd".to_string(), Value::Null),
            ("env".to_string(), json!({})),
        ];
        assert_eq!(phrases(&settings), vec!["a C compiler".to_string(), "paths: `/usr/bin/gcc`".to_string()]);
    }

    #[test]
    fn settings_keep_the_declaration_order() {
        let spec = workbook::spec::Spec::parse(
            "format_version = 1\ntitle = \"t\"\nlanguage = \"go\"\nbook = \"x.md\"\n[starter]\nfails = []\n\
             [[check]]\nkind = \"smoke\"\npoints = 1\nport = 8080\npath = \"/healthz\"\n",
        )
        .unwrap();
        let keys: Vec<String> = of(&spec.checks[0].kind).into_iter().map(|(k, _)| k).collect();
        assert_eq!(&keys[..3], &["port", "path", "status"]);
    }
}
