//! `grader lint <Dockerfile | exercise>`: the lint rules, with no engine (fast, offline).
//! `grader explain [rule]`: the rule catalogue, or one rule's explanation.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dockerfile::lint::{config, render};

use crate::cli::LintFormat;
use crate::error::advice;
use crate::exit::Outcome;
use workbook::Workbook;

pub fn run(root: Option<&Path>, target: &str, stage: Option<&str>, format: LintFormat) -> Result<Outcome> {
    let path = resolve(root, target)?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let df = dockerfile::parse(&text).map_err(|e| advice(format!("{}:{}: {}", path.display(), e.line, e.message)))?;
    let mut opts = dockerfile::LintOptions { target: stage.map(str::to_string), ..Default::default() };
    if let Some((_, cfg)) = config::find(&path).map_err(|e| advice(e.to_string()))? {
        opts = opts.with_config(&cfg);
    }
    let findings = dockerfile::lint(&df, &opts);
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = path.strip_prefix(&cwd).unwrap_or(&path).display().to_string();
    let out = match format {
        LintFormat::Text if findings.is_empty() => format!("{shown}: no findings\n"),
        LintFormat::Text => render::text(&findings, &shown, crate::output::use_color()),
        LintFormat::Json => render::json(&df, &findings, &shown),
        LintFormat::Github => render::github(&findings, &shown),
        LintFormat::Sarif => render::sarif(&findings, &shown),
    };
    crate::output::emit(&out);
    let serious = findings.iter().any(|f| f.severity != dockerfile::Severity::Info);
    Ok(if serious { Outcome::Fail } else { Outcome::Pass })
}

/// A Dockerfile path, or an exercise id whose Dockerfile is meant.
fn resolve(root: Option<&Path>, target: &str) -> Result<PathBuf> {
    let p = PathBuf::from(target);
    if p.is_file() {
        return Ok(p);
    }
    if p.is_dir() && p.join("Dockerfile").is_file() {
        return Ok(p.join("Dockerfile"));
    }
    let workbook =
        Workbook::find(root).map_err(|_| advice(format!("{target} is neither a Dockerfile nor an exercise")))?;
    let exercise = workbook.exercise(Some(target))?;
    Ok(exercise.dockerfile_path())
}

pub fn explain(rule: Option<&str>) -> Result<Outcome> {
    match rule {
        None => {
            let mut t = crate::output::table(crate::output::style());
            t.set_header(vec!["rule", "name", "severity", "what it reports"]);
            for r in dockerfile::lint::rules() {
                t.add_row(vec![r.id, r.name, r.severity.as_str(), r.summary]);
            }
            crate::output::emit_text(&format!("{t}\nmore: grader explain <rule>\n"));
        }
        Some(key) => {
            let r = dockerfile::lint::rule(key)
                .ok_or_else(|| advice(format!("there is no rule `{key}`; `grader explain` lists them")))?;
            crate::output::emit(&format!(
                "{} {} ({}, {})\n{}\n\n{}\n\nread: book/src/{}\n",
                r.id,
                r.name,
                r.severity,
                match r.scope {
                    dockerfile::lint::Scope::FinalStage => "final stage only",
                    dockerfile::lint::Scope::AllStages => "every stage",
                },
                r.summary,
                r.explanation.trim_end(),
                r.book
            ));
        }
    }
    Ok(Outcome::Pass)
}
