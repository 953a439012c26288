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
    let (path, text) = read(root, target)?;
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

/// The Dockerfile meant by `target` (a Dockerfile path, a folder holding one, or an exercise
/// id) and its text. An exercise's Dockerfile is read only inside the exercise; a path the user
/// names may lead anywhere, but must be a regular file of at most
/// [`MAX_DOCKERFILE_BYTES`](crate::workspace::MAX_DOCKERFILE_BYTES): a FIFO would block the
/// read forever and /dev/zero would never end.
fn read(root: Option<&Path>, target: &str) -> Result<(PathBuf, String)> {
    let p = PathBuf::from(target);
    let exercise_folder = p.join(workbook::spec::SPEC_FILE).is_file();
    if !exercise_folder && p.symlink_metadata().is_ok() {
        let named = if p.is_dir() { p.join("Dockerfile") } else { p };
        let text = read_named(&named)?;
        return Ok((named, text));
    }
    let workbook =
        Workbook::find(root).map_err(|_| advice(format!("{target} is neither a Dockerfile nor an exercise")))?;
    let exercise = workbook.exercise(Some(target))?;
    let text = crate::workspace::read_inside(
        &exercise.dir,
        &exercise.spec.build.dockerfile,
        crate::workspace::MAX_DOCKERFILE_BYTES,
    )?;
    Ok((exercise.dockerfile_path(), text))
}

/// A Dockerfile the user named by its path, read when it is a regular file within the limit.
fn read_named(path: &Path) -> Result<String> {
    let meta = path.metadata().with_context(|| format!("reading {}", path.display()))?;
    if !meta.is_file() {
        return Err(advice(format!(
            "{} is not a regular file (a folder, pipe or device): name the Dockerfile itself.",
            path.display()
        )));
    }
    let limit = crate::workspace::MAX_DOCKERFILE_BYTES;
    if meta.len() > limit {
        return Err(advice(format!(
            "{} is {} bytes, over the grader's limit of {limit} (1 MiB): is it really a Dockerfile?",
            path.display(),
            meta.len()
        )));
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
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
