//! GitHub Actions workflow commands: `::warning file=Dockerfile,line=12,title=GR003::message`.

use crate::lint::{rule, Finding, Severity};

/// Escapes a workflow-command message (the grader's report escapes with it too).
pub fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation per finding (Info findings become `notice`).
pub fn github(findings: &[Finding], path: &str) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let title = match rule(f.rule) {
            Some(r) => format!("{} {}", f.rule, r.name),
            None => f.rule.to_string(),
        };
        out.push_str(&format!(
            "::{level} file={},line={},endLine={},title={}::{}\n",
            property(path),
            f.line,
            f.lines.end,
            property(&title),
            data(&f.message)
        ));
    }
    out
}
