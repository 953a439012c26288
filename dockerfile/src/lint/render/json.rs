//! One JSON object: the parsed stages and the findings.

use serde_json::json as j;

use crate::ast::Dockerfile;
use crate::lint::{rule, Finding};

/// `{"file", "stages": [{index, name, base, base_resolved, first_line, last_line,
/// instructions}], "findings": [{rule, name, severity, line, end_line, stage, message, book}]}`.
pub fn json(df: &Dockerfile, findings: &[Finding], path: &str) -> String {
    let stages: Vec<_> = df
        .stages
        .iter()
        .map(|s| {
            let lines = s.lines();
            j!({
                "index": s.index,
                "name": s.name,
                "base": s.base,
                "base_resolved": s.base_resolved,
                "first_line": lines.start,
                "last_line": lines.end,
                "instructions": s.instructions.len(),
            })
        })
        .collect();
    let findings: Vec<_> = findings
        .iter()
        .map(|f| {
            let r = rule(f.rule);
            j!({
                "rule": f.rule,
                "name": r.map(|r| r.name),
                "severity": f.severity,
                "line": f.line,
                "end_line": f.lines.end,
                "stage": f.stage,
                "message": f.message,
                "book": r.map(|r| r.book),
            })
        })
        .collect();
    let value = j!({ "file": path, "stages": stages, "findings": findings });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}
