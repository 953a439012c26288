//! The mdBook side: a `Preprocessor` that expands our directives in every chapter, reading
//! specs from the workbook's `exercises/` folder (`[preprocessor.rubric] exercises = "..."`,
//! relative to the book's root; default `../exercises`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::{expand, Exercises, Links};

/// The preprocessor's name: its table in book.toml is `[preprocessor.rubric]`.
pub const NAME: &str = "rubric";

/// Expands `{{#rubric id}}`, `{{#exercises}}` and `{{#lint-rules}}`.
#[derive(Debug, Default)]
pub struct Rubric;

impl Preprocessor for Rubric {
    fn name(&self) -> &str {
        NAME
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> Result<Book> {
        let configured: Option<String> = ctx
            .config
            .get(&format!("preprocessor.{NAME}.exercises"))
            .with_context(|| format!("[preprocessor.{NAME}] exercises must be a path"))?;
        let dir = ctx.root.join(configured.as_deref().unwrap_or("../exercises"));
        run_on(book, &Exercises { dir })
    }
}

/// Expands every chapter of `book` with specs from `source`.
pub fn run_on(mut book: Book, source: &dyn crate::Source) -> Result<Book> {
    let titles = chapter_titles(&book);
    let mut failure = None;
    book.for_each_mut(|item| {
        let BookItem::Chapter(ch) = item else { return };
        let (Some(path), None) = (ch.path.clone(), failure.as_ref()) else { return };
        let links = Links { page: &path, titles: &titles };
        match expand(&ch.content, &links, source) {
            Ok(text) => ch.content = text,
            Err(e) => failure = Some(e.context(format!("in chapter {} ({})", ch.name, slash_path(&path)))),
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(book),
    }
}

/// Every chapter's path (with `/`, relative to `src/`) and title.
pub fn chapter_titles(book: &Book) -> BTreeMap<String, String> {
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(ch) => ch.path.as_ref().map(|p| (slash_path(p), ch.name.clone())),
            _ => None,
        })
        .collect()
}

fn slash_path(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Only the major.minor version matters: mdBook's JSON protocol is stable within 0.5.
pub fn version_mismatch(caller: &str) -> Option<String> {
    let minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    let ours = mdbook_preprocessor::MDBOOK_VERSION;
    (minor(caller) != minor(ours))
        .then(|| format!("mdbook-rubric was built against mdBook {ours} but runs under {caller}; build the book with `cargo run -p mdbook-rubric -- build book` (mdBook's library at that version) or install mdBook 0.5"))
}
