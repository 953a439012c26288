//! A Dockerfile parser that keeps every instruction's line range, and the grader's stage-aware
//! lint rules. Engine-free: nothing here talks to Docker.
//!
//! `parse` reads a Dockerfile the way BuildKit does (directives, continuations, heredocs, exec
//! and shell forms, flags, ARG before FROM) into `Dockerfile` → `Stage` → `Instruction`;
//! `lint` runs the rules the workbook teaches over it, and `lint::render` prints the findings.
//!
//! ```
//! let df = dockerfile::parse("FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n").unwrap();
//! assert_eq!(df.stages.len(), 2);
//! assert_eq!(df.stage("build").unwrap().instructions[1].text(), "RUN go build -o /app .");
//! assert_eq!(df.final_stage().unwrap().instructions[1].flag("from"), Some("build"));
//!
//! let findings = dockerfile::lint(&df, &dockerfile::LintOptions::default());
//! assert_eq!(findings[0].rule, "GR009"); // the scratch stage has no USER: it runs as root
//! let text = dockerfile::lint::render::text(&findings, "Dockerfile", false);
//! assert!(text.starts_with("Dockerfile:3 GR009 warning: "));
//! ```

mod ast;
mod parse;

pub mod lint;

pub use ast::{Arguments, Directive, Dockerfile, Flag, Heredoc, Instruction, LineSpan, Stage};
pub use lint::{lint, Finding, LintOptions, Rule, Severity};
pub use parse::{parse, ParseError, KEYWORDS, MAX_LINE_BYTES};
