//! SARIF 2.1.0, for code-scanning tools (GitHub code scanning, IDEs).

use serde_json::json as j;

use crate::lint::{rules, Finding, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF log with one run: the rule catalogue as the driver's rules, one result per finding.
pub fn sarif(findings: &[Finding], path: &str) -> String {
    let catalogue: Vec<_> = rules()
        .iter()
        .map(|r| {
            j!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.explanation, "markdown": r.explanation },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "book": r.book },
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let index = rules().iter().position(|r| r.id == f.rule);
            j!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": path },
                        "region": { "startLine": f.line, "endLine": f.lines.end },
                    }
                }],
            })
        })
        .collect();
    let log = j!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "grader-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": catalogue,
                }
            },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}
