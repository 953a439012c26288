//! Helpers for the book tests: paths, running mdBook, the link checker, Dockerfile snippets,
//! `grader` command lines, a static HTTP server and headless Chromium.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dockerfile::lint::{lint, LintOptions, Severity};

pub const INSTALL_HINT: &str = "the browser test needs Chromium: on Debian or Ubuntu `sudo apt-get install chromium` (or set BOOK_TEST_CHROMIUM to a Chrome or Chromium binary)";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn book_src() -> PathBuf {
    root().join("book/src")
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

pub fn rel_to_root(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("listing {}: {e}", d.display())).flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn md_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")).collect()
}

pub fn copy_dir(from: &Path, to: &Path) {
    for f in files_under(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, &dest).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// mdBook

pub struct Build {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

pub struct BuiltBook {
    pub dir: PathBuf,
}

/// `mdbook build <book> --dest-dir <out>`, through mdBook's own library (mdbook-driver, the
/// version of mdbook-preprocessor) inside the preprocessor binary cargo built for this test run,
/// which is also the preprocessor: no separately installed `mdbook` is needed.
pub fn build_book(book: &Path, out: &Path) -> Build {
    let output = Command::new(env!("CARGO_BIN_EXE_mdbook-rubric"))
        .arg("build")
        .arg(book)
        .arg("--dest-dir")
        .arg(out)
        .env("MDBOOK_PREPROCESSOR__RUBRIC__COMMAND", env!("CARGO_BIN_EXE_mdbook-rubric"))
        .env_remove("RUST_LOG")
        .output()
        .expect("running mdbook-rubric build");
    Build {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).to_string(),
        stderr: String::from_utf8_lossy(&output.stderr).to_string(),
    }
}

/// The build succeeded and printed no warning or error (mdBook logs a missing include as an
/// error and still succeeds, so the log is what counts).
pub fn assert_clean(build: &Build) {
    assert!(build.ok, "mdbook build failed:\n{}\n{}", build.stdout, build.stderr);
    let bad: Vec<&str> = build
        .stderr
        .lines()
        .chain(build.stdout.lines())
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("warn") || l.contains("error")
        })
        .collect();
    assert!(bad.is_empty(), "mdbook printed warnings:\n{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Links

/// Every `id="..."` and `name="..."` in an HTML page.
pub fn ids_in(html: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(r#"\s(?:id|name)="([^"]+)""#).unwrap();
    re.captures_iter(html).map(|c| html_unescape(&c[1])).collect()
}

fn html_unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// Checks every relative `href` and `src` in the built book: the file exists, and the
/// fragment, if any, is an id in it. Returns the broken ones.
pub fn check_links(dir: &Path) -> Vec<String> {
    let re = regex::Regex::new(r#"\s(href|src)="([^"]*)""#).unwrap();
    let mut ids_cache: std::collections::HashMap<PathBuf, BTreeSet<String>> = Default::default();
    let mut broken = Vec::new();
    for page in files_under(dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "html")) {
        let html = read(&page);
        for c in re.captures_iter(&html) {
            let link = html_unescape(&c[2]);
            if link.is_empty()
                || link.starts_with("http:")
                || link.starts_with("https:")
                || link.starts_with("mailto:")
                || link.starts_with("javascript:")
                || link.starts_with("data:")
                || link.starts_with("//")
            {
                continue;
            }
            let (path_part, fragment) = match link.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (link.as_str(), None),
            };
            let path_part = path_part.split('?').next().unwrap_or("");
            let target = if path_part.is_empty() {
                page.clone()
            } else if let Some(abs) = path_part.strip_prefix('/') {
                dir.join(percent_decode(abs))
            } else {
                page.parent().unwrap().join(percent_decode(path_part))
            };
            let target = if target.is_dir() || path_part.ends_with('/') { target.join("index.html") } else { target };
            let shown = format!("{} -> {link}", page.strip_prefix(dir).unwrap().display());
            if !target.is_file() {
                broken.push(format!("{shown}: no such file"));
                continue;
            }
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                if target.extension().is_some_and(|e| e == "html") {
                    let ids = ids_cache.entry(target.clone()).or_insert_with(|| ids_in(&read(&target)));
                    if !ids.contains(&percent_decode(f)) {
                        broken.push(format!(
                            "{shown}: no id {f:?} in {}",
                            target.strip_prefix(dir).unwrap_or(&target).display()
                        ));
                    }
                }
            }
        }
    }
    broken
}

// ---------------------------------------------------------------------------------------------
// Fenced code blocks

pub struct Block {
    /// The info string, e.g. `dockerfile,mistake=GR003`.
    pub info: String,
    /// 1-based line of the opening fence.
    pub line: usize,
    pub body: String,
}

/// Every fenced code block of a markdown text (``` or ~~~, indented or not).
pub fn fenced_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, usize, usize, String, Vec<String>)> = None; // fence, indent, line, info, lines
    for (n, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        let indent = raw.len() - trimmed.len();
        match &mut open {
            None => {
                for fence in ["```", "~~~"] {
                    if let Some(rest) = trimmed.strip_prefix(fence) {
                        let extra = rest.chars().take_while(|c| *c == fence.chars().next().unwrap()).count();
                        let fence_str = fence.to_string() + &rest[..extra];
                        open = Some((fence_str, indent, n + 1, rest[extra..].trim().to_string(), Vec::new()));
                        break;
                    }
                }
            }
            Some((fence, ind, line, info, lines)) => {
                if trimmed.starts_with(fence.as_str())
                    && trimmed.trim_end().chars().all(|c| c == fence.chars().next().unwrap())
                {
                    blocks.push(Block { info: info.clone(), line: *line, body: lines.join("\n") + "\n" });
                    open = None;
                } else {
                    let strip = (*ind).min(raw.len() - raw.trim_start().len());
                    lines.push(raw[strip..].to_string());
                }
            }
        }
    }
    blocks
}

// ---------------------------------------------------------------------------------------------
// Dockerfile snippets

/// A ```dockerfile block and what its info string promises:
/// - `dockerfile`: parses and lints with no warning or error (info findings are fine);
/// - `dockerfile,mistake=GR003+GR004`: parses, and the warnings and errors are exactly those rules;
/// - `dockerfile,mistake`: shows a mistake no lint rule catches (the text names the grader
///   check that does): parses and lints clean;
/// - `dockerfile,allow=GR009`: parses; those rules may fire, nothing else may;
/// - `dockerfile,fragment`: instructions without a FROM; parsed after a `FROM scratch` line.
pub struct Snippet {
    pub line: usize,
    pub text: String,
    pub mistakes: Option<BTreeSet<String>>,
    pub allow: BTreeSet<String>,
    pub fragment: bool,
    pub included: bool,
}

pub fn dockerfile_snippets(md: &Path) -> Vec<Snippet> {
    let text = read(md);
    let mut out = Vec::new();
    for b in fenced_blocks(&text) {
        let mut parts = b.info.split([',', ' ']).filter(|s| !s.is_empty());
        if parts.next() != Some("dockerfile") {
            continue;
        }
        let mut s = Snippet {
            line: b.line,
            text: String::new(),
            mistakes: None,
            allow: BTreeSet::new(),
            fragment: false,
            included: false,
        };
        for attr in parts {
            let rules = |v: &str| v.split('+').map(str::to_string).collect::<BTreeSet<_>>();
            match attr.split_once('=') {
                Some(("mistake", v)) => s.mistakes = Some(rules(v)),
                Some(("allow", v)) => s.allow = rules(v),
                None if attr == "mistake" => s.mistakes = Some(BTreeSet::new()),
                None if attr == "fragment" => s.fragment = true,
                _ => panic!("{}:{}: unknown dockerfile block attribute `{attr}`", rel_to_root(md), b.line),
            }
        }
        // Resolve whole-file includes the way mdBook will.
        let mut body = String::new();
        for l in b.body.lines() {
            match l.trim().strip_prefix("{{#include ").and_then(|r| r.strip_suffix("}}")) {
                Some(path) => {
                    s.included = true;
                    body.push_str(&read(&md.parent().unwrap().join(path.trim())));
                }
                None => {
                    body.push_str(l);
                    body.push('\n');
                }
            }
        }
        s.text = if s.fragment { format!("FROM scratch\n{body}") } else { body };
        out.push(s);
    }
    out
}

impl Snippet {
    pub fn kind(&self) -> &'static str {
        match (&self.mistakes, self.included) {
            (_, true) => "included",
            (Some(_), _) => "mistake",
            (None, _) => "good",
        }
    }

    pub fn verify(&self) -> Result<(), String> {
        let df = dockerfile::parse(&self.text).map_err(|e| format!("does not parse: {e}\n{}", self.text))?;
        let findings = lint(&df, &LintOptions::default());
        let named = self.mistakes.clone().unwrap_or_default();
        let reported: BTreeSet<String> = findings
            .iter()
            .filter(|f| f.severity != Severity::Info || named.contains(f.rule))
            .map(|f| f.rule.to_string())
            .filter(|r| !self.allow.contains(r))
            .collect();
        if reported != named {
            let detail: Vec<String> =
                findings.iter().map(|f| format!("  {} line {}: {}", f.rule, f.line, f.message)).collect();
            return Err(format!(
                "lint reports {reported:?} but the block is marked {named:?}{}\n{}",
                if self.allow.is_empty() { String::new() } else { format!(" (allowed: {:?})", self.allow) },
                detail.join("\n")
            ));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// grader command lines

/// `grader ...` command lines in shell and YAML code blocks, with their line numbers.
pub fn grader_commands(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for b in fenced_blocks(text) {
        let lang = b.info.split([',', ' ']).next().unwrap_or("");
        if !["sh", "bash", "console", "shell", "yaml"].contains(&lang) {
            continue;
        }
        for (i, l) in b.body.lines().enumerate() {
            let mut l = l.trim();
            for prefix in ["$ ", "- run: ", "run: "] {
                l = l.strip_prefix(prefix).unwrap_or(l);
            }
            if l != "grader" && !l.starts_with("grader ") {
                continue;
            }
            let cmd = match l.find(" #") {
                Some(i) => &l[..i],
                None => l,
            };
            out.push((b.line + 1 + i, cmd.trim().to_string()));
        }
    }
    out
}

/// Splits a command line like a POSIX shell would for simple cases (quotes, no expansions).
pub fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

// ---------------------------------------------------------------------------------------------
// A static file server for the browser

pub struct StaticServer {
    pub url: String,
}

impl StaticServer {
    /// Serves `dir` on 127.0.0.1 (a free port) until the test process exits.
    pub fn start(dir: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let dir = dir.clone();
                std::thread::spawn(move || serve(stream, &dir));
            }
        });
        StaticServer { url }
    }
}

fn serve(mut stream: std::net::TcpStream, dir: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // Drain the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = percent_decode(path.split(['?', '#']).next().unwrap_or("/"));
    let mut file = dir.join(path.trim_start_matches('/'));
    if file.is_dir() {
        file = file.join("index.html");
    }
    let inside = file.canonicalize().ok().filter(|f| f.starts_with(dir.canonicalize().unwrap()));
    let (status, body, ctype) = match inside.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((f, body)) => ("200 OK", body, content_type(&f)),
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "application/javascript",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium

pub struct Chromium {
    pub path: PathBuf,
}

/// Debian's chromium, or the browser `BOOK_TEST_CHROMIUM` names (GitHub's runners have
/// google-chrome). Panics with the install hint when none is there.
pub fn chromium() -> Chromium {
    if let Some(c) = std::env::var_os("BOOK_TEST_CHROMIUM") {
        return Chromium { path: PathBuf::from(c) };
    }
    for c in ["chromium", "/usr/bin/chromium", "chromium-browser"] {
        if Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Chromium { path: PathBuf::from(c) };
        }
    }
    panic!("chromium is not installed: {INSTALL_HINT}");
}

impl Chromium {
    fn run(&self, extra: &[String], url: &str) -> String {
        // One Chromium at a time: with several at once on a loaded 2-core machine, the frame
        // that loads every page in turn ran out of its virtual time before the last page.
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let profile = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(&self.path);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("starting chromium");
        let started = Instant::now();
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
            s
        });
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let out = reader.join().unwrap();
                assert!(status.success() || !out.is_empty(), "chromium exited with {status} on {url}");
                return out;
            }
            if started.elapsed() > Duration::from_secs(90) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 90 s on {url}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The DOM after the page's scripts ran for `budget_ms` of virtual time.
    pub fn dump_dom(&self, url: &str, budget_ms: u32) -> String {
        self.run(&[format!("--virtual-time-budget={budget_ms}"), "--dump-dom".into()], url)
    }

    /// `dump_dom` with extra Chromium flags (such as `--force-dark-mode`).
    pub fn dump_dom_with(&self, url: &str, budget_ms: u32, extra: &[&str]) -> String {
        let mut args = vec![format!("--virtual-time-budget={budget_ms}"), "--dump-dom".into()];
        args.extend(extra.iter().map(|a| a.to_string()));
        self.run(&args, url)
    }

    /// `screenshot` with extra Chromium flags.
    pub fn screenshot_with(&self, url: &str, path: &Path, (w, h): (u32, u32), extra: &[&str]) {
        let _ = std::fs::remove_file(path);
        let mut args = vec![
            "--virtual-time-budget=8000".to_string(),
            "--hide-scrollbars".into(),
            format!("--window-size={w},{h}"),
            format!("--screenshot={}", path.display()),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        self.run(&args, url);
    }

    pub fn screenshot(&self, url: &str, path: &Path, (w, h): (u32, u32)) {
        let _ = std::fs::remove_file(path);
        self.run(
            &[
                "--virtual-time-budget=8000".into(),
                "--hide-scrollbars".into(),
                format!("--window-size={w},{h}"),
                format!("--screenshot={}", path.display()),
            ],
            url,
        );
    }
}

/// Where the browser test keeps its screenshots: `target/book-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("book-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn assert_png(p: &Path) {
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", p.display()));
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000, "{} is not a real screenshot", p.display());
}

/// The links of mdBook's search results in a dumped DOM.
pub fn search_results(dom: &str) -> Vec<String> {
    let Some(start) = dom.find(r#"id="mdbook-searchresults""#) else { return vec![] };
    let end = dom[start..].find("</ul>").map(|e| start + e).unwrap_or(dom.len());
    let re = regex::Regex::new(r#"<a href="([^"]+)""#).unwrap();
    re.captures_iter(&dom[start..end]).map(|c| c[1].to_string()).collect()
}
