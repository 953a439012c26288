//! The grader's lint: static, stage-aware rules about what the lessons teach. Pure functions
//! from a parsed `Dockerfile` to findings; no engine, no I/O (except `config::find`, which reads
//! `.grader-lint.toml`). Rules about the runtime image look only at the final (or `--target`)
//! stage; rules about building look at every stage.

pub mod config;
pub mod ids;
mod registry;
pub mod render;
mod rules;
pub mod shell;

use serde::Serialize;

use crate::ast::{Dockerfile, Instruction, LineSpan, Stage};

pub use config::{ConfigError, LintConfig};
pub use registry::rules;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The build is wrong or will fail.
    Error,
    /// The image is larger, slower to rebuild or less safe than it should be.
    Warning,
    /// A suggestion.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which stages a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every stage: the rule is about building (cache, reproducibility, correctness).
    AllStages,
    /// Only the final (or `--target`) stage: the rule is about the image that ships.
    FinalStage,
}

/// A lint rule and its documentation.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Stable identifier, `GR001`...
    pub id: &'static str,
    /// Short kebab-case name, usable in place of the id in `ignore` lists and pragmas.
    pub name: &'static str,
    pub severity: Severity,
    pub scope: Scope,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Markdown: why it matters, a bad example and a good one.
    pub explanation: &'static str,
    /// The book section that teaches it: `chapter.md#anchor`.
    pub book: &'static str,
    #[serde(skip)]
    pub(crate) check: fn(&Context, &mut Vec<Finding>),
}

impl Rule {
    /// Whether `key` names this rule (its id or name, case-insensitive).
    pub fn is_named(&self, key: &str) -> bool {
        let key = key.trim();
        self.id.eq_ignore_ascii_case(key) || self.name.eq_ignore_ascii_case(key)
    }
}

/// A rule by id or name.
pub fn rule(key: &str) -> Option<&'static Rule> {
    rules().iter().find(|r| r.is_named(key))
}

/// One problem found in a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule id, `GR003`.
    pub rule: &'static str,
    pub severity: Severity,
    /// First line of the instruction to blame (`lines.start`).
    pub line: usize,
    /// The whole instruction.
    pub lines: LineSpan,
    /// The stage's name (`stage-N` when unnamed).
    pub stage: Option<String>,
    /// What is wrong, with the values involved, and what to do instead.
    pub message: String,
}

/// What to lint and what to leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The stage treated as final (name or index), as with `docker build --target`; the last
    /// stage when `None` or when no stage has that name.
    pub target: Option<String>,
    /// Rules (ids or names) to skip everywhere.
    pub ignore: Vec<String>,
    /// Disregard `# grader ignore=` pragmas. The grader sets it when a lint rule is a graded
    /// check, so a learner cannot silence the rule the exercise is about.
    pub no_pragmas: bool,
}

impl LintOptions {
    /// Options with the config file's ignores and target added (command-line values win for
    /// the target).
    pub fn with_config(mut self, config: &LintConfig) -> Self {
        self.ignore.extend(config.ignore.iter().cloned());
        if self.target.is_none() {
            self.target.clone_from(&config.target);
        }
        self
    }
}

/// What the rules see: the file, which stage counts as final, and each RUN's commands (split
/// once, read by several rules).
pub(crate) struct Context<'a> {
    pub df: &'a Dockerfile,
    pub target: usize,
    /// `commands[stage][instruction]`: the simple commands of a RUN, empty for other
    /// instructions.
    pub commands: Vec<Vec<Vec<shell::Command>>>,
}

impl<'a> Context<'a> {
    fn new(df: &'a Dockerfile, target: usize) -> Self {
        let commands = df
            .stages
            .iter()
            .map(|s| {
                s.instructions.iter().map(|i| if i.is("RUN") { shell::commands_of(i) } else { Vec::new() }).collect()
            })
            .collect();
        Context { df, target, commands }
    }

    /// The stage's RUN instructions with their simple commands.
    pub fn runs(&self, stage: &'a Stage) -> impl Iterator<Item = (&'a Instruction, &[shell::Command])> + '_ {
        let cmds = self.commands.get(stage.index);
        stage.instructions.iter().enumerate().skip(1).filter(|(_, i)| i.is("RUN")).map(move |(n, i)| {
            let c = cmds.and_then(|c| c.get(n)).map_or(&[][..], |c| c.as_slice());
            (i, c)
        })
    }

    /// The stage treated as final.
    pub fn final_stage(&self) -> &'a Stage {
        &self.df.stages[self.target]
    }

    /// A finding for `rule` on `ins` in `stage`.
    pub fn finding(&self, rule: ids::RuleId, stage: &Stage, ins: &Instruction, message: String) -> Finding {
        let rule = registry::rules().iter().find(|r| r.id == rule.as_str()).expect("every rule id is registered");
        Finding {
            rule: rule.id,
            severity: rule.severity,
            line: ins.lines.start,
            lines: ins.lines,
            stage: Some(stage.display_name()),
            message,
        }
    }
}

/// Runs every rule not ignored, honouring `# grader ignore=...` pragmas, and returns the
/// findings ordered by line and rule.
pub fn lint(df: &Dockerfile, opts: &LintOptions) -> Vec<Finding> {
    if df.stages.is_empty() {
        return Vec::new();
    }
    let target = opts.target.as_deref().and_then(|t| df.stage(t)).map_or(df.stages.len() - 1, |s| s.index);
    let ctx = Context::new(df, target);
    let mut findings = Vec::new();
    for rule in rules() {
        if opts.ignore.iter().any(|k| rule.is_named(k)) {
            continue;
        }
        (rule.check)(&ctx, &mut findings);
    }
    if !opts.no_pragmas {
        findings.retain(|f| !ignored_by_pragma(df, f));
    }
    findings.sort_by(|a, b| (a.line, a.rule, &a.message).cmp(&(b.line, b.rule, &b.message)));
    findings.dedup();
    findings
}

/// Whether the instruction a finding points at carries `# grader ignore=RULE[,RULE...]` in the
/// comments just above it (`all` ignores every rule).
fn ignored_by_pragma(df: &Dockerfile, f: &Finding) -> bool {
    let Some((_, ins)) = df.instruction_at(f.line) else {
        return false;
    };
    ins.comments.iter().any(|c| {
        pragma_rules(c).is_some_and(|keys| {
            keys.iter().any(|k| k.eq_ignore_ascii_case("all") || rule(k).is_some_and(|r| r.id == f.rule))
        })
    })
}

/// The rule list of a `grader ignore=GR001,GR002` comment.
pub fn pragma_rules(comment: &str) -> Option<Vec<String>> {
    let rest = comment.trim().strip_prefix("grader")?;
    let rest = rest.trim_start().strip_prefix("ignore")?;
    let rest = rest.trim_start().strip_prefix('=')?;
    Some(rest.split([',', ' ']).map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect())
}

#[cfg(test)]
mod tests;
