//! The mdBook side: a `Preprocessor` that expands our directives in every chapter, reading
//! specs from the workbook's `exercises/` folder (`[preprocessor.rubric] exercises = "..."`,
//! relative to the book's root; default `../exercises`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::{expand, schedule, Exercises, Links};

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
        let wants_playground = book.iter().any(|item| match item {
            BookItem::Chapter(ch) => ch.content.contains("{{#playground"),
            _ => false,
        });
        let enabled: Option<bool> = ctx
            .config
            .get(&format!("preprocessor.{NAME}.playground"))
            .with_context(|| format!("[preprocessor.{NAME}] playground must be true or false"))?;
        if wants_playground && enabled.unwrap_or(true) {
            let krate: Option<String> = ctx.config.get(&format!("preprocessor.{NAME}.playground-crate"))?;
            let krate = ctx.root.join(krate.as_deref().unwrap_or("../lint-wasm"));
            let target = krate.join("../target/wasm");
            let script = ctx.root.join(&ctx.config.book.src).join(crate::playground::SCRIPT);
            crate::playground::build(&krate, &target, &script)?;
        }
        let repository = repository_url(ctx)?;
        let mut book = book;
        book.for_each_mut(|item| {
            if let BookItem::Chapter(ch) = item {
                if ch.content.contains(REPOSITORY_URL) {
                    ch.content = ch.content.replace(REPOSITORY_URL, &repository);
                }
            }
        });
        run_on(book, &Exercises { dir })
    }
}

/// Expands every chapter of `book` with specs from `source`.
pub fn run_on(mut book: Book, source: &dyn crate::Source) -> Result<Book> {
    let titles = chapter_titles(&book);
    let (chapters, exercise_pages) = reading_list(&book);
    let mut failure = None;
    book.for_each_mut(|item| {
        let BookItem::Chapter(ch) = item else { return };
        let (Some(path), None) = (ch.path.clone(), failure.as_ref()) else { return };
        let links = Links { page: &path, titles: &titles };
        if ch.content.contains(READING_TIMES) {
            let table = schedule::render(&chapters, &exercise_pages, &links);
            ch.content = ch.content.replace(READING_TIMES, &table);
        }
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

/// Replaced by the workbook's repository address, for `git clone` lines.
const REPOSITORY_URL: &str = "{{#repository-url}}";

/// Where the workbook's repository lives: `output.html.git-repository-url` (the Pages workflow
/// sets it from the GitHub repository; it also gives every page its "edit" link), else the
/// `origin` remote of the clone the book is built from, else a description.
fn repository_url(ctx: &PreprocessorContext) -> Result<String> {
    let configured: Option<String> = ctx.config.get("output.html.git-repository-url")?;
    if let Some(url) = configured.filter(|u| !u.trim().is_empty()) {
        return Ok(url);
    }
    let origin = std::process::Command::new("git")
        .arg("-C")
        .arg(&ctx.root)
        .args(["remote", "get-url", "origin"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|u| !u.is_empty());
    Ok(origin.unwrap_or_else(|| "<the URL of the repository this book came from>".to_string()))
}

/// The directive replaced by the table of reading times (see `schedule.rs`).
const READING_TIMES: &str = "{{#reading-times}}";

/// The chapters to read, in book order (not the exercise and solution pages, whose time
/// belongs to the exercise), and every exercise page by id.
fn reading_list(book: &Book) -> (Vec<schedule::Chapter>, BTreeMap<String, String>) {
    let mut chapters = Vec::new();
    let mut exercises = BTreeMap::new();
    for item in book.iter() {
        let BookItem::Chapter(ch) = item else { continue };
        let Some(path) = ch.path.as_ref().map(|p| slash_path(p)) else { continue };
        if let Some(id) = path.strip_prefix("exercises/").and_then(|f| f.strip_suffix(".md")) {
            if id != "index" {
                exercises.insert(id.to_string(), path.clone());
            }
            continue;
        }
        if path.starts_with("solutions/") {
            continue;
        }
        let (words, practise) = schedule::measure(&ch.content);
        chapters.push(schedule::Chapter { path, title: ch.name.clone(), words, practise });
    }
    (chapters, exercises)
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
