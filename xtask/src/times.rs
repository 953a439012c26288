//! `cargo run -p xtask -- times [ids...]`: how long each exercise takes to build, measured with
//! the grader binary and written as the table the book includes
//! (`book/src/generated/build-times.md`).
//!
//! For the starter and the reference solution of each exercise, in a temporary copy:
//! - **cold**: every `RUN` runs again. The copy's Dockerfile gets `ARG TIMES_RUN=<nonce>` after
//!   each `FROM`, and Docker keys every later `RUN` of the stage on the ARG's value, so nothing
//!   of an earlier build can serve and nothing shared has to be deleted (the build cache is
//!   never pruned). Base images are present, as they are for a learner after the first day.
//! - **warm**: the same copy graded again: every step can come from the cache.
//! - **edit**: a newline appended to one source file (the cache check's `source`, else the
//!   first application source), graded again: the rebuild a learner waits for after an edit.
//!
//! Each figure is the build time the grader reports (`build.seconds` of `grader check --format
//! json`); the whole grading (probes, smoke run, starter build) is timed beside it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// Where the table goes, relative to the repository root.
pub const OUT: &str = "book/src/generated/build-times.md";

/// One sentence for the caching chapter: the rebuild after an edit, starter against solution,
/// for the exercises whose spec has a cache check.
pub const OUT_EDIT: &str = "book/src/generated/rebuild-after-edit.md";

struct Run {
    build_s: f64,
    grade_s: f64,
    score: String,
}

struct Row {
    id: String,
    /// Whether the exercise grades the cache (then the edited file is the check's `source`).
    cached: bool,
    variant: &'static str,
    edited: String,
    cold: Result<Run, String>,
    warm: Result<Run, String>,
    edit: Result<Run, String>,
}

pub fn times(root: &Path, ids: &[String]) -> Result<()> {
    super::run(Command::new("cargo").args(["build", "-q", "-p", "grader"]).current_dir(root))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let grader = target.join("debug/grader");
    let ids = if ids.is_empty() { all_ids(root)? } else { ids.to_vec() };
    let load_before = loadavg();
    let started = Instant::now();
    let mut rows = Vec::new();
    let mut engine = String::new();
    let mut retried = Vec::new();
    for id in &ids {
        for variant in ["starter", "solution"] {
            eprintln!("times: {id} {variant}");
            let dir = tempfile::tempdir()?;
            super::copy_tree(&root.join("exercises").join(id), dir.path())?;
            if variant == "solution" {
                super::copy_tree(&root.join("solutions").join(id), dir.path())?;
            }
            let spec = read_spec(dir.path())?;
            let nonce = format!("{}-{}", std::process::id(), started.elapsed().as_nanos());
            bust(&dir.path().join(&spec.dockerfile), &nonce)?;
            // A cold grading tried again must be cold again: the first try may have built steps.
            let dockerfile = dir.path().join(&spec.dockerfile);
            let mut cold = grade_once(&grader, dir.path(), &mut engine);
            if let Err(e) = &cold {
                if e.starts_with(COULD_NOT_GRADE) {
                    retried.push(format!("{id} {variant} cold ({})", first_words(e)));
                    bust(&dockerfile, &format!("{nonce}-again"))?;
                    cold = grade_once(&grader, dir.path(), &mut engine);
                }
            }
            let mut tries = Vec::new();
            let warm = grade(&grader, dir.path(), &mut engine, &mut tries);
            let edited = spec.source.clone().or_else(|| first_source(dir.path())).unwrap_or_default();
            let edit = if edited.is_empty() {
                Err("no source file".to_string())
            } else {
                let file = dir.path().join(&edited);
                let mut text = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                text.push(b'\n');
                std::fs::write(&file, text)?;
                grade(&grader, dir.path(), &mut engine, &mut tries)
            };
            retried.extend(tries.iter().map(|t| {
                format!("{id} {variant} {}", t.split(" (").nth(1).map(|w| format!("({w}")).unwrap_or_default())
            }));
            for (what, r) in [("cold", &cold), ("warm", &warm), ("edit", &edit)] {
                match r {
                    Ok(r) => {
                        eprintln!("times:   {what}: build {:.1} s, grading {:.1} s, {}", r.build_s, r.grade_s, r.score)
                    }
                    Err(e) => eprintln!("times:   {what}: {e}"),
                }
            }
            rows.push(Row { id: id.clone(), cached: spec.source.is_some(), variant, edited, cold, warm, edit });
        }
    }
    let load_after = loadavg();
    let mut table = render(&rows, &engine, &load_before, &load_after, started.elapsed().as_secs());
    if !retried.is_empty() {
        table.push_str(&format!(
            "\n{} grading(s) were tried a second time after the grader could not grade (the engine, not the \
             Dockerfile; a cold one with a new cache-busting value): {}.\n",
            retried.len(),
            retried.join("; ")
        ));
    }
    let out = root.join(OUT);
    std::fs::create_dir_all(out.parent().unwrap())?;
    std::fs::write(&out, &table).with_context(|| format!("writing {}", out.display()))?;
    let sentence = render_edit(&rows);
    std::fs::write(root.join(OUT_EDIT), &sentence).with_context(|| format!("writing {OUT_EDIT}"))?;
    println!("{table}");
    eprintln!("times: wrote {}", out.display());
    Ok(())
}

/// "ex1 29 s → 16 s, ..." for exercises with a cache check (the edited file is its `source`).
fn render_edit(rows: &[Row]) -> String {
    let mut parts = Vec::new();
    for pair in rows.chunks(2) {
        if let [starter, solution] = pair {
            if starter.cached {
                parts.push(format!(
                    "{} {} → {}",
                    starter.id,
                    secs(&starter.edit, |r| r.build_s),
                    secs(&solution.edit, |r| r.build_s)
                ));
            }
        }
    }
    format!(
        "<!-- Generated by `cargo run -p xtask -- times`: do not edit by hand. -->\n\
         Rebuild after a source edit, starter → solution: {}.\n",
        parts.join(", ")
    )
}

struct SpecBits {
    dockerfile: String,
    source: Option<String>,
}

/// The Dockerfile's name and the cache check's `source`, from the copy's `exercise.toml`.
fn read_spec(dir: &Path) -> Result<SpecBits> {
    let path = dir.join("exercise.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let value: toml::Value = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let dockerfile = value
        .get("build")
        .and_then(|b| b.get("dockerfile"))
        .and_then(|d| d.as_str())
        .unwrap_or("Dockerfile")
        .to_string();
    let source = value
        .get("check")
        .and_then(|c| c.as_array())
        .and_then(|checks| {
            checks.iter().find(|c| c.get("kind").and_then(|k| k.as_str()) == Some("cache"))?.get("source")?.as_str()
        })
        .map(str::to_string);
    Ok(SpecBits { dockerfile, source })
}

/// Adds `ARG TIMES_RUN=<nonce>` after every FROM, so every RUN misses the cache.
fn bust(dockerfile: &Path, nonce: &str) -> Result<()> {
    let text = std::fs::read_to_string(dockerfile).with_context(|| format!("reading {}", dockerfile.display()))?;
    let df =
        dockerfile::parse(&text).map_err(|e| anyhow::anyhow!("{}:{}: {}", dockerfile.display(), e.line, e.message))?;
    let after: Vec<usize> = df.stages.iter().map(|s| s.instructions[0].lines.end).collect();
    let mut out = String::new();
    for (n, line) in text.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        if after.contains(&(n + 1)) {
            writeln!(out, "ARG TIMES_RUN={nonce}").unwrap();
        }
    }
    std::fs::write(dockerfile, out)?;
    Ok(())
}

/// The first application source file (not a test), shallowest first.
fn first_source(dir: &Path) -> Option<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name == "node_modules" || name == "tests" || name == "test" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if ["go", "py", "ts", "js", "rs"].iter().any(|x| name.ends_with(&format!(".{x}")))
                && !name.starts_with("test_")
                && !name.contains("_test.")
                && !name.contains(".test.")
            {
                let rel = p.strip_prefix(dir).ok()?.to_string_lossy().to_string();
                found.push((rel.matches('/').count(), rel));
            }
        }
    }
    found.sort();
    found.into_iter().next().map(|(_, rel)| rel)
}

/// One `grader check`, tried a second time when the grader could not grade (exit 2: the
/// engine, not the Dockerfile); `retried` records those second tries.
fn grade(grader: &Path, dir: &Path, engine: &mut String, retried: &mut Vec<String>) -> Result<Run, String> {
    match grade_once(grader, dir, engine) {
        Err(e) if e.starts_with(COULD_NOT_GRADE) => {
            retried.push(format!("{} ({})", dir.display(), first_words(&e)));
            grade_once(grader, dir, engine)
        }
        other => other,
    }
}

/// The gist of a could-not-grade message, for the table's note.
fn first_words(e: &str) -> String {
    let e = e.trim_start_matches(COULD_NOT_GRADE).trim_start_matches(": error: could not grade: ");
    e.split(['(', '.']).next().unwrap_or(e).trim().to_string()
}

const COULD_NOT_GRADE: &str = "the grader could not grade";

fn grade_once(grader: &Path, dir: &Path, engine: &mut String) -> Result<Run, String> {
    let started = Instant::now();
    let out = Command::new(grader)
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .map_err(|e| format!("running the grader: {e}"))?;
    let grade_s = started.elapsed().as_secs_f64();
    if out.status.code() == Some(2) {
        let why = String::from_utf8_lossy(&out.stderr).split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(format!("{COULD_NOT_GRADE}: {why}"));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("reading the grader's JSON: {e}"))?;
    if let Some(e) = v["engine_version"].as_str() {
        engine.clone_from(&e.to_string());
    }
    let build_s = v["build"]["seconds"].as_f64().ok_or("no build.seconds in the report")?;
    Ok(Run { build_s, grade_s, score: format!("{}/{}", v["score"], v["max_score"]) })
}

fn all_ids(root: &Path) -> Result<Vec<String>> {
    let mut ids: Vec<String> = std::fs::read_dir(root.join("exercises"))?
        .flatten()
        .filter(|e| e.path().join("exercise.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    ids.sort_by_key(|id| id.trim_start_matches(|c: char| !c.is_ascii_digit()).parse::<u32>().unwrap_or(0));
    if ids.is_empty() {
        bail!("no exercises under {}", root.join("exercises").display());
    }
    Ok(ids)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn secs(r: &Result<Run, String>, f: impl Fn(&Run) -> f64) -> String {
    match r {
        Ok(r) => {
            let s = f(r);
            if s < 10.0 {
                format!("{s:.1} s")
            } else {
                format!("{s:.0} s")
            }
        }
        Err(_) => "–".into(),
    }
}

fn render(rows: &[Row], engine: &str, load_before: &str, load_after: &str, total_s: u64) -> String {
    let mut s = String::new();
    s.push_str("<!-- Generated by `cargo run -p xtask -- times`: do not edit by hand. -->\n\n");
    s.push_str("| exercise | cold | warm | after an edit | grading |\n| --- | ---: | ---: | ---: | ---: |\n");
    for r in rows {
        writeln!(
            s,
            "| {} {} | {} | {} | {} | {} |",
            r.id,
            r.variant,
            secs(&r.cold, |r| r.build_s),
            secs(&r.warm, |r| r.build_s),
            secs(&r.edit, |r| r.build_s),
            secs(&r.cold, |r| r.grade_s),
        )
        .unwrap();
    }
    let edited: Vec<String> = rows
        .iter()
        .filter(|r| r.variant == "starter" && !r.edited.is_empty())
        .map(|r| format!("{} `{}`", r.id, r.edited))
        .collect();
    let failed: Vec<String> = rows
        .iter()
        .flat_map(|r| {
            [("cold", &r.cold), ("warm", &r.warm), ("edit", &r.edit)]
                .into_iter()
                .filter_map(move |(w, x)| x.as_ref().err().map(|e| format!("{} {} {w}: {e}", r.id, r.variant)))
        })
        .collect();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    writeln!(
        s,
        "\nMeasured {date} by `cargo run -p xtask -- times` with the grader's own build path (BuildKit \
         through the Engine API, debug build of the grader), dockerd {engine}, offline-kit base images, \
         {cores} cores, load average {load_before} before and {load_after} after ({} min in all). The edited \
         files: {}.",
        total_s.div_ceil(60),
        edited.join(", ")
    )
    .unwrap();
    if !failed.is_empty() {
        writeln!(s, "\nNot measured: {}.", failed.join("; ")).unwrap();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_gets_the_nonce_right_after_its_from() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "ARG BASE=debian:trixie-slim\nFROM ${BASE} AS build\nRUN make\n\nFROM scratch\nCOPY --from=build /app /app\n")
            .unwrap();
        bust(&path, "n1").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "ARG BASE=debian:trixie-slim\nFROM ${BASE} AS build\nARG TIMES_RUN=n1\nRUN make\n\nFROM scratch\nARG TIMES_RUN=n1\nCOPY --from=build /app /app\n"
        );
    }

    #[test]
    fn the_edited_file_is_an_application_source_not_a_test() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["test_app.py", "src/pkg/__init__.py", "app.py", "node_modules/x/index.js"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        assert_eq!(first_source(dir.path()).as_deref(), Some("app.py"));
    }
}
