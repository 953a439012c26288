//! Human-readable lines: `Dockerfile:12 GR003 warning: message`.

use crate::lint::{Finding, Severity};

/// One line per finding; severities coloured with ANSI escapes when `color` is set.
pub fn text(findings: &[Finding], path: &str, color: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let severity = if color {
            let code = match f.severity {
                Severity::Error => "1;31",
                Severity::Warning => "1;33",
                Severity::Info => "1;36",
            };
            format!("\x1b[{code}m{}\x1b[0m", f.severity)
        } else {
            f.severity.to_string()
        };
        out.push_str(&format!("{path}:{} {} {severity}: {}\n", f.line, f.rule, f.message));
    }
    out
}
