//! The whole report as one JSON object (for scripts and classroom tooling).

use super::Report;

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report always serializes") + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_the_essentials() {
        let v: serde_json::Value = serde_json::from_str(&super::render(&super::super::sample())).unwrap();
        assert_eq!(v["exercise"], "ex1");
        assert_eq!(v["score"], 15);
        assert_eq!(v["verdicts"][0]["id"], "size");
        assert_eq!(v["verdicts"][0]["passed"], false);
        assert_eq!(v["verdicts"][0]["line"], 1);
    }
}
