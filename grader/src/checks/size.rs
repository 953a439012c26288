//! `size`: the final image against its budget, with the biggest layers named on failure.

use super::{Cx, Finding};
use crate::facts::Facts;
use crate::locate::{layer_origins, Origin};
use crate::units::mb;
use workbook::spec::SizeCheck;

pub const NEEDS_IMAGE: bool = true;

pub fn judge(spec: &SizeCheck, cx: &Cx<'_>) -> Finding {
    match cx.probe::<u64>() {
        Ok(starter) => check(spec, starter.copied(), cx.facts),
        Err(not_measured) => not_measured,
    }
}

/// `starter`: the pristine starter's content size, measured when a relative budget needs it.
pub fn check(spec: &SizeCheck, starter: Option<u64>, facts: &Facts) -> Finding {
    let image = facts.image.as_ref().expect("judged only with an image");
    let size = image.content_size;
    // The tighter of the absolute and the relative budget applies.
    let mut budgets: Vec<(u64, String)> = Vec::new();
    if let Some(max) = spec.max_mb {
        budgets.push(((max * 1e6) as u64, format!("the {} budget", mb((max * 1e6) as u64))));
    }
    if let Some(ratio) = spec.max_ratio {
        match starter {
            Some(starter) => {
                let b = (starter as f64 * ratio) as u64;
                budgets.push((b, format!("{} ({:.0}% of the starter's {})", mb(b), ratio * 100.0, mb(starter))));
            }
            None => return Finding::not_measured("the starter image was not built"),
        }
    }
    let (budget, budget_text) = budgets.into_iter().min_by_key(|(b, _)| *b).expect("validated: one budget at least");
    let engine_note = if image.engine_size > 0 && image.engine_size.abs_diff(size) * 100 > size.max(1) {
        format!(" (the engine reports {})", mb(image.engine_size))
    } else {
        String::new()
    };
    if size <= budget {
        return Finding::pass(format!("{} of layer content{engine_note}, within {budget_text}", mb(size)));
    }
    Finding::fail(format!("{} of layer content{engine_note}, over {budget_text}", mb(size)))
        .with_details(biggest_layers(facts, 3))
}

/// "What got added": the biggest layers and the instruction (or base image) behind each.
pub fn biggest_layers(facts: &Facts, n: usize) -> Vec<String> {
    let image = facts.image.as_ref().expect("judged only with an image");
    let origins = facts.dockerfile.as_ref().ok().map(|df| layer_origins(df, image, None));
    let mut order: Vec<usize> = (0..image.layers.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(image.layers[i].content_bytes));
    let mut base_total = 0;
    let mut lines = Vec::new();
    let mut base_name = None;
    // Layers under 1% of the image (and under 100 kB) are noise in this view.
    let tiny = (image.content_size / 100).max(100_000);
    for &i in &order {
        let small = image.layers[i].content_bytes < tiny;
        match origins.as_ref().map(|o| &o[i]) {
            Some(Origin::Base(name)) => {
                base_total += image.layers[i].content_bytes;
                base_name = Some(name.clone());
            }
            Some(Origin::Instruction(instr)) if lines.len() < n && !small => lines.push(format!(
                "{} added by `{}` ({}:{})",
                mb(image.layers[i].content_bytes),
                crate::facts::build::squash(&instr.text()),
                facts.dockerfile_path,
                instr.lines.start
            )),
            None if lines.len() < n && !small => {
                lines.push(format!("{} added by `{}`", mb(image.layers[i].content_bytes), image.layers[i].created_by))
            }
            _ => {}
        }
    }
    if let Some(name) = base_name {
        lines.insert(0, format!("{} comes from the base image {name}", mb(base_total)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::*;

    #[test]
    fn within_budget_passes_and_names_both_figures() {
        let f = with_files(facts(SOLUTION), &[("base", 2_000_000), ("COPY /out/app /app # buildkit", 5_000_000)], &[]);
        let r = check(&SizeCheck { max_mb: Some(20.0), max_ratio: None }, None, &f);
        assert!(r.passed);
        assert_eq!(r.message, "7.0 MB of layer content, within the 20.0 MB budget");
    }

    #[test]
    fn over_budget_names_the_biggest_layers() {
        let df = "FROM golang:1-trixie\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";
        let mut f = with_files(
            facts(df),
            &[
                ("debian", 600_000_000),
                ("go", 200_000_000),
                ("COPY . . # buildkit", 1_000),
                ("RUN /bin/sh -c go build -o /app . # buildkit", 90_000_000),
            ],
            &[],
        );
        f.image.as_mut().unwrap().engine_size = 900_000_000;
        let r = check(&SizeCheck { max_mb: Some(20.0), max_ratio: None }, None, &f);
        assert!(!r.passed);
        assert!(
            r.message.starts_with("890 MB of layer content (the engine reports 900 MB), over the 20.0 MB budget"),
            "{}",
            r.message
        );
        assert_eq!(r.details[0], "800 MB comes from the base image golang:1-trixie");
        assert_eq!(r.details[1], "90.0 MB added by `RUN go build -o /app .` (exercises/ex1/Dockerfile:4)");
    }

    #[test]
    fn ratio_budget_is_measured_against_the_starter() {
        let f = with_files(facts(SOLUTION), &[("base", 60_000_000)], &[]);
        let starter = Some(100_000_000);
        let half = SizeCheck { max_mb: None, max_ratio: Some(0.5) };
        let r = check(&half, starter, &f);
        assert!(!r.passed);
        assert_eq!(r.message, "60.0 MB of layer content, over 50.0 MB (50% of the starter's 100 MB)");
        let starter = Some(200_000_000);
        assert!(check(&half, starter, &f).passed);
        // With both budgets, the tighter one applies.
        let both = SizeCheck { max_mb: Some(40.0), max_ratio: Some(0.5) };
        assert!(check(&both, starter, &f).message.ends_with("over the 40.0 MB budget"));
    }
}
