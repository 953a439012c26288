//! The workbook's mdBook preprocessor. It expands three directives in chapters so the book
//! cannot disagree with the grader:
//!
//! - `{{#rubric ex1}}`: the rubric of one exercise, rendered from `exercises/ex1/exercise.toml`
//!   (loaded by `workbook::spec::Spec::load`, the loader the grader uses);
//! - `{{#exercises}}`: the table of all exercises;
//! - `{{#lint-rules}}`: the grader's lint rules, from the `dockerfile` crate's registry;
//! - `{{#playground}}` / `{{#playground ex1}}`: the lint running in the page (WebAssembly),
//!   empty or holding an exercise's starter Dockerfile;
//! - `{{#practise ex5}}`: at the end of a chapter, the exercises that practise it, with their
//!   titles and points from the specs.
//!
//! [`expand`] is the pure transform (chapter text in, text out; specs come through the
//! [`Source`] trait); `preprocessor` is the mdBook glue and `main.rs` the binary shim.

pub mod directive;
pub mod index;
pub mod lint_rules;
pub mod playground;
pub mod preprocessor;
pub mod rubric;
pub mod schedule;
pub mod settings;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use workbook::spec::Spec;

/// The reference page that documents each check kind, with one anchor per kind (`#size`).
pub const CHECKS_PAGE: &str = "reference/checks.md";

/// The reference page listing the lint rules, with one anchor per rule (`#gr003`).
pub const LINT_RULES_PAGE: &str = "reference/lint-rules.md";

/// Where the specs come from: the workbook's `exercises/` folder, or a fake in tests.
pub trait Source {
    /// The spec of exercise `id`.
    fn spec(&self, id: &str) -> Result<Spec>;
    /// The ids of every exercise, sorted naturally (ex2 before ex10).
    fn ids(&self) -> Result<Vec<String>>;
    /// The text of exercise `id`'s starter Dockerfile.
    fn dockerfile(&self, id: &str) -> Result<String> {
        bail!("no Dockerfile for `{id}` in this source")
    }
}

/// Specs read from an `exercises/` folder with the loader the grader uses (`workbook`).
#[derive(Debug, Clone)]
pub struct Exercises {
    pub dir: PathBuf,
}

impl Source for Exercises {
    fn spec(&self, id: &str) -> Result<Spec> {
        if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
            bail!("`{id}` is not an exercise id (a folder name under {})", self.dir.display());
        }
        let dir = self.dir.join(id);
        if !dir.is_dir() {
            bail!("there is no exercise `{id}`: {} does not exist", dir.display());
        }
        Spec::load(&dir)
    }

    fn ids(&self) -> Result<Vec<String>> {
        workbook::exercise_ids(&self.dir)
    }

    fn dockerfile(&self, id: &str) -> Result<String> {
        let spec = self.spec(id)?;
        let path = self.dir.join(id).join(&spec.build.dockerfile);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    }
}

/// `ex10` after `ex9`: the digits compare as a number (the grader's order too).
pub use workbook::natural_key;

/// Links from one page of the book to others; `titles` maps every chapter's path (relative
/// to `book/src/`) to its title.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    pub page: &'a Path,
    pub titles: &'a BTreeMap<String, String>,
}

impl Links<'_> {
    /// A relative link from the page to `target` (`checks.md#size`, relative to `book/src/`).
    pub fn to(&self, target: &str) -> String {
        let (path, anchor) = split_anchor(target);
        let depth = self.page.parent().map(|p| p.components().filter(|c| matches!(c, Component::Normal(_))).count());
        let mut link = "../".repeat(depth.unwrap_or(0));
        // Links into the page's own folder need no climbing: exercises/ex1.md -> exercises/ex2.md is ex2.md.
        if let Some(dir) = self.page.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(rest) = Path::new(path).strip_prefix(dir) {
                link.clear();
                link.push_str(&rest.to_string_lossy());
                return with_anchor(link, anchor);
            }
        }
        link.push_str(path);
        with_anchor(link, anchor)
    }

    /// `[Title § anchor words](link)`, or "this page" for the page itself.
    pub fn titled(&self, target: &str) -> String {
        let (path, anchor) = split_anchor(target);
        let words = anchor.map(|a| a.replace('-', " "));
        if Path::new(path) == self.page {
            return match (anchor, words) {
                (Some(a), Some(w)) => format!("[§ {w}](#{a})"),
                _ => "this page".to_string(),
            };
        }
        let title = self.titles.get(path).cloned().unwrap_or_else(|| path.to_string());
        let text = match words {
            Some(w) => format!("{title} § {w}"),
            None => title,
        };
        format!("[{}]({})", settings::cell_text(&text), self.to(target))
    }
}

fn split_anchor(target: &str) -> (&str, Option<&str>) {
    match target.split_once('#') {
        Some((p, a)) if !a.is_empty() => (p, Some(a)),
        Some((p, _)) => (p, None),
        None => (target, None),
    }
}

fn with_anchor(mut link: String, anchor: Option<&str>) -> String {
    if let Some(a) = anchor {
        link.push('#');
        link.push_str(a);
    }
    link
}

/// Expands every directive of ours in `content`, a chapter at `links.page`. Errors name the
/// directive; a page that links to a chapter the book does not have is an error too.
pub fn expand(content: &str, links: &Links<'_>, source: &dyn Source) -> Result<String> {
    let directives = directive::find(content);
    if directives.is_empty() {
        return Ok(content.to_string());
    }
    let mut out = String::with_capacity(content.len() * 2);
    let mut last = 0;
    for d in directives {
        out.push_str(&content[last..d.span.start]);
        let text = &content[d.span.clone()];
        let rendered = match (d.name, d.args.as_slice()) {
            ("rubric", [id]) => {
                let spec = source.spec(id).with_context(|| format!("{text}: loading the spec"))?;
                check_targets(&spec, links).with_context(|| format!("{text}: exercises/{id}/exercise.toml"))?;
                rubric::render(id, &spec, links)
            }
            ("exercises", []) => {
                let mut all = Vec::new();
                for id in source.ids()? {
                    let spec = source.spec(&id).with_context(|| format!("{text}: loading exercise {id}"))?;
                    all.push((id, spec));
                }
                index::render(&all, links)
            }
            ("lint-rules", []) => {
                for r in dockerfile::lint::rules() {
                    let (path, _) = split_anchor(r.book);
                    if !links.titles.contains_key(path) {
                        bail!("{text}: rule {} links to {}, which is not a chapter of the book", r.id, r.book);
                    }
                }
                lint_rules::render(dockerfile::lint::rules(), links)
            }
            ("playground", []) => playground::render(None, playground::EXAMPLE),
            ("playground", [id]) => {
                let df = source.dockerfile(id).with_context(|| format!("{text}: the starter Dockerfile"))?;
                playground::render(Some(id), &df)
            }
            ("practise", ids) if !ids.is_empty() => {
                let mut specs = Vec::new();
                for id in ids {
                    specs.push((*id, source.spec(id).with_context(|| format!("{text}: loading exercise {id}"))?));
                }
                practise(&specs, links)
            }
            ("rubric", _) => bail!("{text}: expected one exercise id, as in {{{{#rubric ex1}}}}"),
            ("playground", _) => bail!("{text}: expected nothing or one exercise id, as in {{{{#playground ex1}}}}"),
            ("practise", _) => bail!("{text}: expected exercise ids, as in {{{{#practise ex5}}}}"),
            (name, _) => bail!("{text}: `{name}` takes no arguments"),
        };
        out.push_str(&rendered);
        last = d.span.end;
    }
    out.push_str(&content[last..]);
    Ok(out)
}

/// The "practise it" note at the end of a chapter.
fn practise(specs: &[(&str, Spec)], links: &Links<'_>) -> String {
    let items: Vec<String> = specs
        .iter()
        .map(|(id, spec)| {
            let points: u32 = spec.checks.iter().map(|c| c.points).sum();
            format!(
                "[{id}: {}]({}) ({} checks, {points} points)",
                settings::cell_text(&spec.title),
                links.to(&spec.book),
                spec.checks.len()
            )
        })
        .collect();
    let (lead, list) = match items.as_slice() {
        [one] => ("Practise it", one.clone()),
        _ => ("Practise it", items.join("; ")),
    };
    format!("<div class=\"practise\">\n\n**{lead}:** {list}. Grade your answer with `grader check`.\n\n</div>\n")
}

/// The pages a spec sends learners to must exist in the book.
fn check_targets(spec: &Spec, links: &Links<'_>) -> Result<()> {
    let mut targets = vec![("the exercise", spec.book.as_str())];
    targets.extend(spec.checks.iter().filter_map(|c| c.book.as_deref().map(|b| (c.id.as_str(), b))));
    for (who, target) in targets {
        let (path, _) = split_anchor(target);
        if !links.titles.contains_key(path) {
            bail!("`book = \"{target}\"` ({who}) is not a chapter of the book; add it to SUMMARY.md or fix the spec");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake(Vec<(String, &'static str)>);

    impl Source for Fake {
        fn spec(&self, id: &str) -> Result<Spec> {
            let text = self.0.iter().find(|(i, _)| i == id).map(|(_, t)| *t).context("no such exercise")?;
            Spec::parse(text)
        }
        fn ids(&self) -> Result<Vec<String>> {
            Ok(self.0.iter().map(|(i, _)| i.clone()).collect())
        }
    }

    const SPEC: &str = "format_version = 1\ntitle = \"Go\"\nlanguage = \"go\"\nbook = \"exercises/ex1.md\"\n\
        [starter]\nfails = []\n[[check]]\nkind = \"user\"\npoints = 15\nbook = \"security.md#non-root\"\n";

    fn titles() -> BTreeMap<String, String> {
        ["exercises/ex1.md", "security.md", "reference/checks.md"]
            .iter()
            .map(|p| (p.to_string(), p.to_string()))
            .collect()
    }

    #[test]
    fn text_without_directives_is_unchanged() {
        let t = titles();
        let links = Links { page: Path::new("intro.md"), titles: &t };
        let text = "# Intro\n\n{{#include x.md}} \\{{#rubric ex1}}\n";
        assert_eq!(expand(text, &links, &Fake(vec![])).unwrap(), text);
    }

    #[test]
    fn rubric_directive_is_replaced_in_place() {
        let t = titles();
        let links = Links { page: Path::new("exercises/ex1.md"), titles: &t };
        let out = expand("before\n\n{{#rubric ex1}}\n\nafter\n", &links, &Fake(vec![("ex1".into(), SPEC)])).unwrap();
        assert!(out.starts_with("before\n\n*Rubric of `ex1`"), "{out}");
        assert!(out.ends_with("holds it to that).\n\n\n\nafter\n"), "{out:?}");
        assert!(out.contains("| `user` | [user](../reference/checks.md#user) | 15 |"), "{out}");
    }

    #[test]
    fn unknown_exercise_and_bad_arguments_are_errors_naming_the_directive() {
        let t = titles();
        let links = Links { page: Path::new("exercises/ex1.md"), titles: &t };
        let err = format!("{:#}", expand("{{#rubric ex7}}", &links, &Fake(vec![])).unwrap_err());
        assert!(err.contains("{{#rubric ex7}}") && err.contains("no such exercise"), "{err}");
        let err = format!("{:#}", expand("{{#rubric}}", &links, &Fake(vec![])).unwrap_err());
        assert!(err.contains("expected one exercise id"), "{err}");
        let err = format!("{:#}", expand("{{#exercises all}}", &links, &Fake(vec![])).unwrap_err());
        assert!(err.contains("takes no arguments"), "{err}");
    }

    #[test]
    fn a_spec_pointing_outside_the_book_is_an_error() {
        let t: BTreeMap<String, String> = [("exercises/ex1.md".to_string(), "Ex1".to_string())].into();
        let links = Links { page: Path::new("exercises/ex1.md"), titles: &t };
        let err = format!("{:#}", expand("{{#rubric ex1}}", &links, &Fake(vec![("ex1".into(), SPEC)])).unwrap_err());
        assert!(err.contains("security.md#non-root") && err.contains("not a chapter"), "{err}");
    }

    #[test]
    fn relative_links() {
        let t = BTreeMap::new();
        let l = Links { page: Path::new("exercises/ex1.md"), titles: &t };
        assert_eq!(l.to("caching.md#layer-order"), "../caching.md#layer-order");
        assert_eq!(l.to("exercises/ex2.md"), "ex2.md");
        assert_eq!(l.to("solutions/ex1.md"), "../solutions/ex1.md");
        let top = Links { page: Path::new("intro.md"), titles: &t };
        assert_eq!(top.to("exercises/ex2.md"), "exercises/ex2.md");
    }

    #[test]
    fn natural_order_of_ids() {
        let mut ids = vec!["ex10", "ex2", "ex1"];
        ids.sort_by_key(|i| natural_key(i));
        assert_eq!(ids, ["ex1", "ex2", "ex10"]);
    }

    #[test]
    fn filesystem_source_rejects_paths_and_names_missing_folders() {
        let dir = tempfile::tempdir().unwrap();
        let src = Exercises { dir: dir.path().to_path_buf() };
        assert!(src.spec("../etc").unwrap_err().to_string().contains("not an exercise id"));
        assert!(src.spec("ex4").unwrap_err().to_string().contains("there is no exercise `ex4`"));
        std::fs::create_dir(dir.path().join("ex10")).unwrap();
        std::fs::write(dir.path().join("ex10/exercise.toml"), SPEC).unwrap();
        std::fs::create_dir(dir.path().join("ex2")).unwrap();
        std::fs::write(dir.path().join("ex2/exercise.toml"), SPEC).unwrap();
        std::fs::create_dir(dir.path().join("notes")).unwrap();
        assert_eq!(src.ids().unwrap(), ["ex2", "ex10"]);
        assert_eq!(src.spec("ex2").unwrap().title, "Go");
    }
}
