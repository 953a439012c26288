//! The book's tests, in one binary: the preprocessor on fixtures (pure transform and a real
//! mdBook build), the course book itself (builds without warnings, links resolve, every
//! exercise has its pages, Dockerfile snippets parse and lint as marked, `grader` commands
//! parse), and a headless Chromium that opens the built book.
//!
//! The book is built with mdBook's library inside the preprocessor binary (`mdbook-rubric
//! build`): nothing to install. Chromium is required, not optional: without it the browser test
//! fails and says how to install it (`.ci/book.sh` does, on Debian).

mod browser;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mdbook_rubric::{expand, Exercises, Links, Source};
use support::*;

// ---------------------------------------------------------------------------------------------
// The preprocessor on fixtures

#[test]
fn transform_fixtures_match_their_expected_output() {
    let dir = fixtures().join("transform");
    let source = Exercises { dir: fixtures().join("exercises") };
    let titles: BTreeMap<String, String> =
        [("demo.md", "Demo"), ("security.md", "Security"), ("reference/checks.md", "Checks")]
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
    let mut seen = 0;
    for input in md_files(&dir).into_iter().filter(|p| !p.to_string_lossy().ends_with(".expected.md")) {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let links = Links { page: Path::new(&name), titles: &titles };
        let got = expand(&read(&input), &links, &source).unwrap();
        let expected_path = input.with_extension("expected.md");
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&expected_path, &got).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} is missing: run with BLESS=1 and review it", expected_path.display()));
        assert_eq!(got, expected, "{name}: output differs from {}; BLESS=1 rewrites it", expected_path.display());
        seen += 1;
    }
    assert!(seen > 0, "no transform fixtures in {}", dir.display());
}

#[test]
fn fixture_book_renders_the_rubric_through_mdbook() {
    let out = tempfile::tempdir().unwrap();
    let build = build_book(&fixtures().join("book"), out.path());
    assert_clean(&build);
    let html = read(&out.path().join("demo.html"));
    assert!(html.contains("Rubric of <code>demo</code>"), "{html}");
    // One row per check, with the kind linked to the reference page and the settings rendered.
    assert!(html.contains(r#"<a href="reference/checks.html#size">size</a>: ≤ 20 MB · ratio ≤ 0.1"#), "{html}");
    assert!(html.contains(r#"<a href="reference/checks.html#stop">stop</a>: within 3 s · port: 8080"#), "{html}");
    assert!(html.contains("<code>no-toolchain</code>"), "{html}");
    assert!(html.contains("<summary>2 hints</summary>"), "{html}");
    assert!(html.contains("<strong>100</strong>"), "total points: {html}");
    assert!(html.contains(r#"<a href="security.html#non-root">Security § non root</a>"#), "{html}");
    assert!(html.contains("The grader builds the stage <code>runtime</code>"), "{html}");
    assert!(html.contains("{{#rubric demo}}"), "the escaped directive stays text: {html}");
    // The exercise index links the page.
    assert!(html.contains(r#"<a href="demo.html">demo: Demo: a fixture exercise</a>"#), "{html}");
}

#[test]
fn fixture_book_fails_loudly_on_an_unknown_exercise() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("book"), &tmp.path().join("book"));
    copy_dir(&fixtures().join("exercises"), &tmp.path().join("exercises"));
    let page = tmp.path().join("book/src/demo.md");
    std::fs::write(&page, read(&page).replace("{{#rubric demo}}", "{{#rubric nope}}")).unwrap();
    let build = build_book(&tmp.path().join("book"), &tmp.path().join("out"));
    assert!(!build.ok, "the build should fail:\n{}", build.stderr);
    assert!(
        build.stderr.contains("{{#rubric nope}}") && build.stderr.contains("there is no exercise `nope`"),
        "{}",
        build.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// The course book

#[test]
fn the_book_builds_without_warnings() {
    let book = course_book();
    assert!(book.dir.join("index.html").is_file());
    assert!(
        book.dir.join("searchindex.js").is_file() || has_file_starting(&book.dir, "searchindex"),
        "search index missing"
    );
}

#[test]
fn every_internal_link_and_image_resolves() {
    let book = course_book();
    let broken = check_links(&book.dir);
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn every_exercise_has_a_page_with_its_rubric_starter_and_solution() {
    let summary = read(&book_src().join("SUMMARY.md"));
    let source = Exercises { dir: root().join("exercises") };
    let book = course_book();
    let mut problems = Vec::new();
    for id in source.ids().unwrap() {
        let spec = source.spec(&id).unwrap();
        let page = book_src().join(&spec.book);
        if !summary.contains(&format!("]({})", spec.book)) || !page.is_file() {
            problems.push(format!("{id}: its page {} is not in book/src/SUMMARY.md", spec.book));
            continue;
        }
        let text = read(&page);
        if !text.contains(&format!("{{{{#rubric {id}}}}}")) {
            problems.push(format!("{id}: {} has no {{{{#rubric {id}}}}}", spec.book));
        }
        let starter = format!("{{{{#include ../../../exercises/{id}/{}}}}}", spec.build.dockerfile);
        if !text.contains(&starter) {
            problems.push(format!("{id}: {} does not include the starter ({starter})", spec.book));
        }
        // The rendered rubric has every check with its points.
        let html = read(&book.dir.join(Path::new(&spec.book).with_extension("html")));
        for c in &spec.checks {
            let row = format!("<td><code>{}</code></td>", c.id);
            if !html.contains(&row) {
                problems.push(format!("{id}: the rendered rubric has no row for check `{}`", c.id));
            }
        }
        // The solution page includes every file of the reference solution.
        let solution_dir = root().join("solutions").join(&id);
        if solution_dir.is_dir() {
            let page = book_src().join(mdbook_rubric::index::solution_page(&id));
            if !page.is_file() || !summary.contains(&format!("](solutions/{id}.md)")) {
                problems.push(format!("{id}: no solution page solutions/{id}.md in SUMMARY.md"));
                continue;
            }
            let text = read(&page);
            for file in files_under(&solution_dir) {
                let rel = file.strip_prefix(&solution_dir).unwrap().to_string_lossy().replace('\\', "/");
                if !text.contains(&format!("{{{{#include ../../../solutions/{id}/{rel}}}}}")) {
                    problems.push(format!("{id}: solutions/{id}.md does not include solutions/{id}/{rel}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_page_the_grader_points_to_exists_with_its_anchor() {
    let book = course_book();
    let mut targets: BTreeSet<(String, String)> = BTreeSet::new();
    for r in dockerfile::lint::rules() {
        targets.insert((format!("lint rule {}", r.id), r.book.to_string()));
    }
    let source = Exercises { dir: root().join("exercises") };
    for id in source.ids().unwrap() {
        let spec = source.spec(&id).unwrap();
        targets.insert((id.to_string(), spec.book.clone()));
        for c in &spec.checks {
            if let Some(b) = &c.book {
                targets.insert((format!("{id} check {}", c.id), b.clone()));
            }
            let kind = c.kind.name();
            targets.insert((format!("{id} check kind {kind}"), format!("{}#{kind}", mdbook_rubric::CHECKS_PAGE)));
        }
    }
    let mut missing = Vec::new();
    for (who, target) in &targets {
        let (path, anchor) = target.split_once('#').unwrap_or((target.as_str(), ""));
        let html_path = book.dir.join(Path::new(path).with_extension("html"));
        if !html_path.is_file() {
            missing.push(format!("{who}: book/src/{path} does not exist"));
        } else if !anchor.is_empty() && !ids_in(&read(&html_path)).contains(anchor) {
            missing.push(format!("{who}: book/src/{path} has no #{anchor}"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn dockerfile_snippets_parse_and_lint_as_marked() {
    let mut failures = Vec::new();
    let mut counted = BTreeMap::new();
    for file in md_files(&book_src()) {
        for snippet in dockerfile_snippets(&file) {
            *counted.entry(snippet.kind()).or_insert(0) += 1;
            if let Err(e) = snippet.verify() {
                failures.push(format!("{}:{}: {e}", rel_to_root(&file), snippet.line));
            }
        }
    }
    eprintln!("Dockerfile snippets checked: {counted:?}");
    assert!(counted.values().sum::<usize>() >= 40, "suspiciously few snippets: {counted:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn grader_commands_in_the_book_are_accepted_by_the_grader() {
    use clap::Parser;
    let mut bad = Vec::new();
    let mut n = 0;
    for file in md_files(&book_src()) {
        for (line, cmd) in grader_commands(&read(&file)) {
            n += 1;
            let words = shell_words(&cmd);
            if let Err(e) = grader::cli::Cli::try_parse_from(&words) {
                if !matches!(e.kind(), clap::error::ErrorKind::DisplayVersion | clap::error::ErrorKind::DisplayHelp) {
                    bad.push(format!(
                        "{}:{line}: `{cmd}`: {}",
                        rel_to_root(&file),
                        e.to_string().lines().next().unwrap_or("")
                    ));
                }
            }
        }
    }
    assert!(n >= 10, "found only {n} grader commands");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// A real browser

#[test]
fn chromium_shows_the_rubric_and_finds_distroless() {
    let book = course_book();
    let chromium = chromium();
    let server = StaticServer::start(&book.dir);
    let shots = screenshot_dir();

    // The exercise page: the rubric table is in the rendered DOM.
    let url = format!("{}/exercises/ex1.html", server.url);
    let dom = chromium.dump_dom(&url, 3000);
    assert!(dom.contains("<table"), "no table on {url}");
    assert!(dom.contains("Rubric of <code") && dom.contains(">ex1</code>"), "no rubric on {url}");
    assert!(dom.contains("<summary>2 hints</summary>"), "no folded hints on {url}");
    assert!(dom.contains("go mod download"), "the cache check's step is missing on {url}");
    let shot = shots.join("exercise-ex1.png");
    chromium.screenshot(&url, &shot, (1280, 2200));
    assert_png(&shot);

    // The search: mdBook reads ?search= and shows the results once its index has loaded.
    let url = format!("{}/index.html?search=distroless", server.url);
    let dom = chromium.dump_dom(&url, 8000);
    let results = search_results(&dom);
    assert!(!results.is_empty(), "the search for distroless found nothing; DOM:\n{}", &dom[..dom.len().min(3000)]);
    assert!(
        results.iter().any(|r| r.contains("distroless.html")),
        "no result links the Distroless chapter: {results:?}"
    );
    let shot = shots.join("search-distroless.png");
    chromium.screenshot(&url, &shot, (1280, 1000));
    assert_png(&shot);

    // The landing page renders with its navigation.
    let shot = shots.join("introduction.png");
    chromium.screenshot(&format!("{}/index.html", server.url), &shot, (1280, 900));
    assert_png(&shot);
    eprintln!("screenshots in {}", shots.display());
}

/// Builds the course book once per test run (shared by the tests above), failing on warnings.
fn course_book() -> &'static BuiltBook {
    static BOOK: std::sync::OnceLock<BuiltBook> = std::sync::OnceLock::new();
    BOOK.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("course-book");
        let _ = std::fs::remove_dir_all(&dir);
        let build = build_book(&root().join("book"), &dir);
        assert_clean(&build);
        BuiltBook { dir }
    })
}

fn has_file_starting(dir: &Path, prefix: &str) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().starts_with(prefix)))
        .unwrap_or(false)
}
