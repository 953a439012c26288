//! JUnit XML: one test case per check, for CI systems that show test reports (GitLab, Jenkins).

use super::Report;

pub fn render(report: &Report) -> String {
    let failures = report.verdicts.iter().filter(|v| !v.passed).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"grader\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" time=\"{:.3}\">\n",
        report.verdicts.len(),
        esc(&report.exercise),
        report.verdicts.len(),
        report.build.seconds
    ));
    for v in &report.verdicts {
        let name = format!("{} ({}/{} points)", v.id, v.points, v.max_points);
        out.push_str(&format!("    <testcase classname=\"{}\" name=\"{}\"", esc(&report.exercise), esc(&name)));
        if v.passed {
            out.push_str(&format!(">\n      <system-out>{}</system-out>\n    </testcase>\n", esc(&v.message)));
            continue;
        }
        let mut body = String::new();
        if let Some(line) = v.line {
            body.push_str(&format!("{}:{line}\n", report.dockerfile));
        }
        for d in &v.details {
            body.push_str(&format!("{d}\n"));
        }
        if let Some(h) = v.hints.first() {
            body.push_str(&format!("hint: {h}\n"));
        }
        out.push_str(&format!(
            ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
            esc(&v.message),
            esc(&v.kind),
            esc(&body)
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        let text = super::render(&super::super::sample());
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="grader" tests="2" failures="1">
  <testsuite name="ex1" tests="2" failures="1" time="12.500">
    <testcase classname="ex1" name="size (0/25 points)">
      <failure message="812 MB of layer content, over the 20.0 MB budget" type="size">exercises/ex1/Dockerfile:1
800 MB comes from the base image golang:1-trixie
hint: Build in one stage, ship from another.
</failure>
    </testcase>
    <testcase classname="ex1" name="smoke (15/15 points)">
      <system-out>GET /healthz answered 200 on port 8080 (0.4 s)</system-out>
    </testcase>
  </testsuite>
</testsuites>
"#;
        assert_eq!(text, expected, "\n{text}");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(super::esc("a<b & \"c\"\u{1b}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
