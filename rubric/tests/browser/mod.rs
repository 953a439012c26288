//! The second edition's browser tests: the lint playground against `grader lint --format json`,
//! the new pages and their apparatus, a 420 px window, dark mode, and the published book's edit
//! links. Pages are measured by `fixtures/browser/probe.js`, injected into a copy of the built
//! book; narrow windows go through `fixtures/browser/frame.html`, because a headless window
//! cannot be narrower than 500 px but a frame can.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use super::course_book;
use crate::support::*;

/// The built course book with the probe in every page, served once for all the tests here.
fn probed() -> &'static (tempfile::TempDir, StaticServer) {
    static PROBED: OnceLock<(tempfile::TempDir, StaticServer)> = OnceLock::new();
    PROBED.get_or_init(|| {
        let book = course_book();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&book.dir, dir.path());
        for name in ["probe.js", "frame.html"] {
            std::fs::copy(fixtures().join("browser").join(name), dir.path().join(name)).unwrap();
        }
        for page in html_pages(dir.path()) {
            let depth = page.strip_prefix(dir.path()).unwrap().components().count() - 1;
            let html = read(&page)
                .replace("</body>", &format!("<script src=\"{}probe.js\"></script></body>", "../".repeat(depth)));
            std::fs::write(&page, html).unwrap();
        }
        let server = StaticServer::start(dir.path());
        (dir, server)
    })
}

/// The book's reading pages, relative to its root (not the print page, the 404 or the frame).
fn html_pages(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !["print.html", "404.html", "toc.html", "frame.html"].contains(&name.as_ref())
        })
        .collect()
}

fn rel(dir: &Path, page: &Path) -> String {
    page.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/")
}

/// The probe's measurements of one page, opened directly.
fn probe(chromium: &Chromium, url: &str, extra: &[&str]) -> Value {
    let dom = chromium.dump_dom_with(url, 8000, extra);
    let json = between(&dom, "<pre id=\"probe-result\">", "</pre>")
        .unwrap_or_else(|| panic!("no probe result on {url}; DOM:\n{}", &dom[..dom.len().min(2000)]));
    serde_json::from_str(&html_text(json)).unwrap()
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    Some(&s[i..i + s[i..].find(end)?])
}

/// Text of an HTML fragment: tags dropped, the entities Chromium writes decoded.
fn html_text(s: &str) -> String {
    let no_tags = regex::Regex::new(r"<[^>]*>").unwrap().replace_all(s, "");
    no_tags
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The grader's command line: `examples/grader.rs`, which `cargo test -p mdbook-rubric` (and
/// `cargo test --workspace`) build beside the tests. Not built from here: a cargo run inside
/// the test inherits the test's environment, and the next `cargo test` then rebuilds half the
/// dependency tree (measured: two minutes per round on 2 cores).
fn grader_cli() -> PathBuf {
    let debug = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_path_buf();
    let exe = debug.join("examples").join(format!("grader{}", std::env::consts::EXE_SUFFIX));
    assert!(
        exe.is_file(),
        "{} is missing: run `cargo test -p mdbook-rubric` (it builds the examples), or `cargo build -p mdbook-rubric --example grader` before `--test book`",
        exe.display()
    );
    exe
}

// ---------------------------------------------------------------------------------------------

#[test]
fn the_playground_shows_what_grader_lint_json_says_for_every_starter() {
    let (dir, server) = probed();
    let chromium = chromium();
    let source = mdbook_rubric::Exercises { dir: root().join("exercises") };
    let finding_re = regex::Regex::new(
        r#"<li class="lint-finding[^"]*" data-rule="([^"]*)" data-severity="([^"]*)" data-line="(\d+)" data-end-line="(\d+)" data-stage="([^"]*)" data-book="([^"]*)">(.*?)</li>"#,
    )
    .unwrap();
    let message_re = regex::Regex::new(r#"<span class="lint-message">(.*?)</span>"#).unwrap();
    let ids = mdbook_rubric::Source::ids(&source).unwrap();
    let mut checked = 0;
    for id in &ids {
        let spec = mdbook_rubric::Source::spec(&source, id).unwrap();
        let page = Path::new(&spec.book).with_extension("html");
        let url = format!("{}/{}", server.url, page.display());
        let dom = chromium.dump_dom(&url, 8000);
        let state = between(&dom, "class=\"lint-playground\"", ">").unwrap_or("");
        assert!(state.contains("data-state=\"linted\""), "{id}: the playground did not lint ({state}) on {url}");
        let shown: Vec<Value> = finding_re
            .captures_iter(&dom)
            .map(|c| {
                let message = message_re.captures(&c[7]).map(|m| html_text(&m[1])).unwrap_or_default();
                serde_json::json!({
                    "rule": &c[1], "severity": &c[2], "line": c[3].parse::<u64>().unwrap(),
                    "end_line": c[4].parse::<u64>().unwrap(), "stage": html_text(&c[5]),
                    "book": html_text(&c[6]), "message": message,
                })
            })
            .collect();

        let dockerfile = root().join("exercises").join(id).join(&spec.build.dockerfile);
        let out = Command::new(grader_cli()).arg("lint").arg(&dockerfile).args(["--format", "json"]).output().unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{id}: grader lint --format json: {e}\n{}", String::from_utf8_lossy(&out.stderr))
        });
        let expected: Vec<Value> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                serde_json::json!({
                    "rule": f["rule"], "severity": f["severity"], "line": f["line"], "end_line": f["end_line"],
                    "stage": f["stage"], "book": f["book"], "message": f["message"],
                })
            })
            .collect();
        assert!(!expected.is_empty(), "{id}: the starter has no lint findings to compare");
        assert_eq!(shown, expected, "{id}: the page's findings differ from `grader lint --format json`");
        checked += 1;
    }
    assert!(checked > 0 && checked == ids.len(), "checked {checked} of {} exercises", ids.len());

    // The lint rules page has a box of its own, and editing is not needed to see findings.
    let url = format!("{}/reference/lint-rules.html", server.url);
    let result = probe(&chromium, &url, &[]);
    let boxes = result["playgrounds"].as_array().unwrap();
    assert_eq!(boxes.len(), 1, "{result}");
    assert_eq!(boxes[0]["state"], "linted", "{result}");
    assert!(boxes[0]["findings"].as_u64().unwrap() >= 4, "the example should show several rules: {result}");
    let _ = dir;
}

#[test]
fn the_new_pages_render_with_their_apparatus() {
    let (_, server) = probed();
    let chromium = chromium();
    for (page, must) in [
        ("elsewhere.html", vec!["What you may have read elsewhere", "65532", "843 MB", "musllinux"]),
        ("glossary.html", vec!["Glossary", "Whiteout", "Cross-compilation"]),
        ("schedule.html", vec!["Planning a course", "all chapters", "One evening", "A week"]),
        ("instructors.html", vec!["Instructor notes", "grader verify", "Where learners get stuck"]),
        ("args.html", vec!["Build arguments across stages", "TOKEN=s3cr3t"]),
        ("platforms.html", vec!["Multi-platform builds", "BUILDPLATFORM", "exec format error"]),
        ("measurements.html", vec!["Build times", "after an edit", "xtask -- times"]),
    ] {
        let dom = html_text(&chromium.dump_dom(&format!("{}/{page}", server.url), 3000));
        for m in must {
            assert!(dom.contains(m), "{page} does not show {m:?}");
        }
    }
    // The reading-times table links every chapter and names the exercises that practise it.
    let dom = chromium.dump_dom(&format!("{}/schedule.html", server.url), 3000);
    assert!(dom.contains(r#"<a href="caching.html">Layer caching</a>"#), "no caching row in the schedule");
    assert!(dom.contains(r#"<a href="exercises/ex5.html">ex5</a>"#), "the schedule does not link ex5");
    // A chapter ends with the exercise that practises it, with the spec's title.
    let dom = chromium.dump_dom(&format!("{}/caching.html", server.url), 3000);
    let practise = between(&dom, "class=\"practise\"", "</div>").expect("no practise box on caching.html");
    assert!(practise.contains("exercises/ex5.html") && practise.contains("Cache-order challenge"), "{practise}");
}

#[test]
fn every_chapter_ends_on_its_exercises_and_the_sidebar_matches_the_titles() {
    let summary = read(&book_src().join("SUMMARY.md"));
    let entry = regex::Regex::new(r"\[([^\]]+)\]\(([^)]+\.md)\)").unwrap();
    let practise = regex::Regex::new(r"\{\{#practise ([^}]*)\}\}").unwrap();
    let mut practised = BTreeSet::new();
    let mut problems = Vec::new();
    for c in entry.captures_iter(&summary) {
        let (name, path) = (&c[1], &c[2]);
        let text = read(&book_src().join(path));
        let h1 = text.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or("");
        if h1 != name {
            problems.push(format!("SUMMARY.md calls {path} {name:?}, its page says {h1:?}"));
        }
        for p in practise.captures_iter(&text) {
            practised.extend(p[1].split_whitespace().map(str::to_string));
        }
    }
    let source = mdbook_rubric::Exercises { dir: root().join("exercises") };
    for id in mdbook_rubric::Source::ids(&source).unwrap() {
        if !practised.contains(&id) {
            problems.push(format!("no chapter ends with {{{{#practise {id}}}}}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_page_fits_a_420_px_window() {
    let (dir, server) = probed();
    let chromium = chromium();
    let pages: Vec<String> = html_pages(dir.path()).iter().map(|p| rel(dir.path(), p)).collect();
    assert!(pages.len() > 50, "only {} pages", pages.len());
    let url = format!("{}/frame.html?w=420&pages={}", server.url, pages.join(","));
    // Virtual time, spent only while a page waits on timers: some pages (static-site.html)
    // take over 20 s of it, and every page of the book shares this one budget.
    let dom = chromium.dump_dom(&url, 900_000);
    let json = between(&dom, "<pre id=\"probe-result\">", "</pre>").unwrap();
    let results: Vec<Value> = serde_json::from_str(&html_text(json))
        .unwrap_or_else(|e| panic!("the frame did not finish every page ({e}): {}", &json[..json.len().min(500)]));
    assert_eq!(results.len(), pages.len(), "the frame stopped early");
    let mut problems = Vec::new();
    for r in &results {
        assert_eq!(r["width"], 420, "{r}");
        let page = r["page"].as_str().unwrap();
        if r["pageOverflow"].as_i64().unwrap() > 0 {
            problems.push(format!("{page}: the page scrolls sideways by {} px", r["pageOverflow"]));
        }
        for t in r["wideTables"].as_array().unwrap() {
            problems.push(format!("{page}: a table scrolls sideways: {t}"));
        }
        for c in r["overflowingCode"].as_array().unwrap() {
            problems.push(format!("{page}: inline code overflows its box: {c}"));
        }
        for p in r["playgrounds"].as_array().unwrap() {
            if p["inputWidth"].as_u64().unwrap() > 420 {
                problems.push(format!("{page}: the lint box is wider than the window: {p}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let shot = screenshot_dir().join("narrow-measurements.png");
    chromium.screenshot(&format!("{}/frame.html?w=420&h=5200&pages=measurements.html", server.url), &shot, (440, 5200));
    assert_png(&shot);
}

#[test]
fn dark_mode_keeps_the_text_and_the_playground_readable() {
    let (_, server) = probed();
    let chromium = chromium();
    for page in ["exercises/ex1.html", "reference/lint-rules.html", "caching.html", "elsewhere.html"] {
        let url = format!("{}/{page}", server.url);
        let r = probe(&chromium, &url, &["--force-dark-mode"]);
        let theme = r["theme"].as_str().unwrap();
        assert!(["ayu", "coal", "navy"].iter().any(|t| theme.contains(t)), "{page}: not a dark theme: {theme}");
        assert!(r["contrast"]["text"].as_f64().unwrap() >= 4.5, "{page}: body text contrast {r}");
        for p in r["playgrounds"].as_array().unwrap() {
            assert_eq!(p["state"], "linted", "{page}: {p}");
            assert!(p["inputContrast"].as_f64().unwrap() >= 4.5, "{page}: the lint box is hard to read: {p}");
            assert!(p["findingContrast"].as_f64().unwrap() >= 4.5, "{page}: the findings are hard to read: {p}");
        }
    }
    let shot = screenshot_dir().join("dark-exercise-ex1.png");
    chromium.screenshot_with(
        &format!("{}/exercises/ex1.html", server.url),
        &shot,
        (1280, 1600),
        &["--force-dark-mode"],
    );
    assert_png(&shot);
}

#[test]
fn the_published_book_has_edit_links_and_a_real_clone_address() {
    // Built as the Pages workflow builds it: the repository's address in the environment.
    let out = tempfile::tempdir().unwrap();
    let url = "https://example.invalid/owner/workbook";
    let status = Command::new(env!("CARGO_BIN_EXE_mdbook-rubric"))
        .arg("build")
        .arg(root().join("book"))
        .arg("--dest-dir")
        .arg(out.path())
        .env("MDBOOK_PREPROCESSOR__RUBRIC__COMMAND", env!("CARGO_BIN_EXE_mdbook-rubric"))
        .env("MDBOOK_OUTPUT__HTML__GIT_REPOSITORY_URL", url)
        .env("MDBOOK_OUTPUT__HTML__EDIT_URL_TEMPLATE", format!("{url}/edit/main/book/{{path}}"))
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let how = read(&out.path().join("how-to-use.html"));
    assert!(how.contains(&format!("git clone {url} docker-workbook")), "no clone address in how-to-use.html");
    assert!(
        !how.contains("repository URL&gt;") && !how.contains("repository this book came from"),
        "a placeholder is left"
    );
    let mut missing = Vec::new();
    for page in html_pages(out.path()) {
        let name = rel(out.path(), &page);
        let source = format!("{url}/edit/main/book/src/{}", name.replace(".html", ".md"));
        let html = read(&page);
        // index.html is the introduction again (its link names introduction.md).
        if name != "index.html" && !html.contains(&format!("href=\"{source}\"")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "pages without their edit link: {missing:?}");
}
