//! A Dockerfile parser that keeps every instruction's line range, and the grader's stage-aware
//! lint rules. Engine-free: nothing here talks to Docker.
//!
//! ```
//! let df = dockerfile::parse("FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n").unwrap();
//! assert_eq!(df.stages.len(), 2);
//! assert_eq!(df.stage("build").unwrap().instructions[1].text(), "RUN go build -o /app .");
//! assert_eq!(df.final_stage().unwrap().instructions[1].flag("from"), Some("build"));
//! ```

mod ast;
mod parse;

pub use ast::{Arguments, Directive, Dockerfile, Flag, Heredoc, Instruction, LineSpan, Stage};
pub use parse::{parse, ParseError, KEYWORDS};

pub mod lint;
pub use lint::{lint, Finding, LintOptions, Rule, Severity};
