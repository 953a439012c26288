//! GitHub Classroom: the result JSON that `classroom-resources/autograding-grading-reporter`
//! reads (base64-encoded, from a step output named `result`).

use serde_json::json;

use super::Report;

pub fn render(report: &Report) -> String {
    let tests: Vec<serde_json::Value> = report
        .verdicts
        .iter()
        .map(|v| {
            let mut message = v.message.clone();
            if let Some(h) = v.hints.first().filter(|_| !v.passed) {
                message.push_str(&format!(" (hint: {h})"));
            }
            json!({
                "name": format!("{} {}", report.exercise, v.id),
                "status": if v.passed { "pass" } else { "fail" },
                "message": message,
                "score": v.points,
                "max_score": v.max_points,
                "line_no": v.line,
                "filename": report.dockerfile,
                "test_code": format!("grader check {}", report.exercise),
            })
        })
        .collect();
    let status = if report.passed() { "pass" } else { "fail" };
    let doc = json!({ "version": 1, "status": status, "max_score": report.max_score, "tests": tests });
    serde_json::to_string(&doc).expect("serializes") + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reporter_fields_are_there() {
        let v: serde_json::Value = serde_json::from_str(&super::render(&super::super::sample())).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["status"], "fail");
        assert_eq!(v["max_score"], 40);
        assert_eq!(v["tests"][0]["name"], "ex1 size");
        assert_eq!(v["tests"][0]["status"], "fail");
        assert_eq!(v["tests"][0]["score"], 0);
        assert_eq!(v["tests"][1]["score"], 15);
        assert!(v["tests"][0]["message"].as_str().unwrap().contains("(hint: Build in one stage"));
    }
}
