//! `cargo run -p xtask -- class-bench [--students N] [--no-warm-up] [--twice]`: `grader class` on 30 generated ex1 submissions
//! (the solution, the starter, one for each way the spec grades, two build failures, cycled),
//! graded once to warm the engine's cache, then sequentially, then with `--jobs 2`, then on two
//! engines (the default one and `.ci/engine-newer.sh`'s dockerd 26.1; `--twice`: once more). Prints the wall times, the ratios against the
//! sequential run, and whether every run gave every student the same verdict.
//!
//! `cargo run -p xtask -- image`: builds the grader's own image (`grader/Dockerfile`) and prints
//! its build time, its size and the time of a cold `docker run grader --version`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::{copy_tree, run};

const STUDENTS: usize = 30;
const SECOND_ENGINE: &str = "unix:///run/docker26.sock";
pub const IMAGE_TAG: &str = "grader:dev";

/// One way a student's ex1 can come out: a name and an edit of the solution (or the starter).
struct Variant {
    name: &'static str,
    starter: bool,
    edit: &'static [(&'static str, &'static str, &'static str)],
}

const SOLUTION_COPY: &str =
    "COPY go.mod ./\nRUN go mod download\n\n# Then the source, and a static binary (no libc needed at run time).\nCOPY . .\n";

const VARIANTS: &[Variant] = &[
    Variant { name: "correct", starter: false, edit: &[] },
    Variant { name: "starter", starter: true, edit: &[] },
    Variant {
        name: "wrong-order",
        starter: false,
        edit: &[("Dockerfile", SOLUTION_COPY, "COPY . .\nRUN go mod download\n")],
    },
    Variant {
        name: "root",
        starter: false,
        edit: &[("Dockerfile", "static-debian13:nonroot", "static-debian13:latest")],
    },
    Variant {
        name: "sources-shipped",
        starter: false,
        edit: &[(
            "Dockerfile",
            "COPY --from=build /out/greeter /greeter\n",
            "COPY --from=build /out/greeter /greeter\nCOPY --from=build /src /src\n",
        )],
    },
    Variant {
        name: "smoke-broken",
        starter: false,
        edit: &[("Dockerfile", "ENTRYPOINT [\"/greeter\"]", "ENTRYPOINT [\"/greeter-missing\"]")],
    },
    Variant {
        name: "debian-final",
        starter: false,
        edit: &[("Dockerfile", "FROM gcr.io/distroless/static-debian13:nonroot", "FROM debian:trixie-slim")],
    },
    Variant {
        name: "build-fails-compile",
        starter: false,
        edit: &[("main.go", "package main", "package main\n\nfunc broken( {")],
    },
    Variant {
        name: "build-fails-copy",
        starter: false,
        edit: &[("Dockerfile", "COPY --from=build /out/greeter /greeter", "COPY --from=build /out/nothing /greeter")],
    },
];

pub fn class_bench(root: &Path, args: &[String]) -> Result<()> {
    let two_engines_only = args.iter().any(|a| a == "--two-engines-only");
    let no_warm_up = args.iter().any(|a| a == "--no-warm-up");
    let students = match args.iter().position(|a| a == "--students") {
        Some(i) => {
            args.get(i + 1).context("--students needs a number")?.parse().context("--students needs a number")?
        }
        None => STUDENTS,
    };
    run(Command::new("cargo").args(["build", "-q", "-p", "grader"]).current_dir(root))?;
    // The dev build: grading waits on the engine (builds, exports, containers), not on the
    // grader's own code, and the dev profile is warm on a development machine.
    let grader = root.join("target/debug/grader");
    let work = tempfile::Builder::new().prefix("class-bench-").tempdir()?;
    let class = work.path().join("class");
    let mut variant_of = BTreeMap::new();
    for i in 0..students {
        let v = &VARIANTS[i % VARIANTS.len()];
        let name = format!("s{:02}-{}", i + 1, v.name);
        let dir = class.join(&name).join("exercises/ex1");
        std::fs::create_dir_all(&dir)?;
        copy_tree(&root.join("exercises/ex1"), &dir)?;
        if !v.starter {
            copy_tree(&root.join("solutions/ex1"), &dir)?;
        }
        for (file, from, to) in v.edit {
            let p = dir.join(file);
            let text = std::fs::read_to_string(&p)?;
            if !text.contains(from) {
                bail!("variant {}: {file} has no {from:?}", v.name);
            }
            std::fs::write(&p, text.replacen(from, to, 1))?;
        }
        // Each student's own notes: no two submissions are the same folder.
        std::fs::write(dir.join("NOTES.md"), format!("{name}\n"))?;
        variant_of.insert(name, v.name);
    }
    // The engines: DOCKER_HOST (else the default socket) and CLASS_BENCH_SECOND_ENGINE (else
    // dockerd 26.1 of .ci/engine-newer.sh).
    let second = std::env::var("CLASS_BENCH_SECOND_ENGINE").unwrap_or_else(|_| SECOND_ENGINE.into());
    let second_up = Command::new("docker").args(["-H", &second, "version"]).output().is_ok_and(|o| o.status.success());
    let main_engine = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let e = |a: &str| vec!["--engine".to_string(), a.to_string()];
    let mut runs: Vec<(&str, Vec<String>)> = vec![
        ("warm-up (--jobs 2, not compared)", [e(&main_engine), vec!["--jobs".into(), "2".into()]].concat()),
        ("sequential", e(&main_engine)),
        ("--jobs 2", [e(&main_engine), vec!["--jobs".into(), "2".into()]].concat()),
    ];
    if second_up {
        // The second engine's cache is as warm as earlier runs of this bench left it: cold on
        // the first run, which makes this ratio an upper bound. `--twice` runs it again warm.
        runs.push(("two engines, 1 at once each", [e(&main_engine), e(&second)].concat()));
        if args.iter().any(|a| a == "--twice") {
            runs.push(("two engines, again (second engine warm)", [e(&main_engine), e(&second)].concat()));
        }
    } else {
        eprintln!(
            "class-bench: no engine at {second} (sudo bash .ci/engine-newer.sh start && load): two-engine runs skipped"
        );
    }
    let mut results: Vec<(String, Duration, BTreeMap<String, String>)> = Vec::new();
    for (i, (what, engine_args)) in runs.iter().enumerate() {
        let skip_warm_up = no_warm_up && what.starts_with("warm-up");
        if skip_warm_up || (two_engines_only && !what.starts_with("two engines") && *what != "sequential") {
            continue;
        }
        let out = work.path().join(format!("gradebook-{i}"));
        eprintln!("class-bench: {what}: {students} submissions of ex1 ...");
        let started = Instant::now();
        let status = Command::new(&grader)
            .arg("--root")
            .arg(root)
            .arg("class")
            .arg(&class)
            .args(["-e", "ex1", "--fresh", "--out"])
            .arg(&out)
            .args(engine_args)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .status()
            .context("running grader class")?;
        let took = started.elapsed();
        let verdicts = verdicts(&out.join("gradebook.json"))?;
        eprintln!("class-bench: {what}: {:.1} s (exit {:?})", took.as_secs_f64(), status.code());
        results.push((what.to_string(), took, verdicts));
    }
    println!(
        "\n{:<40} {:>10} {:>8} {:>16}",
        format!("grader class, {students} × ex1"),
        "wall",
        "ratio",
        "same verdicts"
    );
    let baseline = results.iter().find(|r| r.0 == "sequential");
    for (what, took, verdicts) in &results {
        let (ratio, same) = match baseline {
            Some((_, base, base_verdicts)) => {
                (format!("{:.2}", took.as_secs_f64() / base.as_secs_f64()), (verdicts == base_verdicts).to_string())
            }
            None => ("-".into(), "-".into()),
        };
        println!("{what:<40} {:>9.1}s {ratio:>8} {same:>16}", took.as_secs_f64());
    }
    if let Some((_, _, base)) = baseline {
        println!("\nverdicts by variant (sequential run):");
        let mut by_variant: BTreeMap<&str, &String> = BTreeMap::new();
        for (student, verdict) in base {
            by_variant.entry(variant_of[student]).or_insert(verdict);
        }
        for (variant, verdict) in by_variant {
            println!("  {variant:<22} {verdict}");
        }
        for (what, _, verdicts) in &results {
            for (student, v) in verdicts {
                if base.get(student) != Some(v) {
                    println!("  differs in `{what}`: {student}: {v} (sequential: {:?})", base.get(student));
                }
            }
        }
    }
    if Command::new("docker").args(["image", "inspect", IMAGE_TAG]).output().is_ok_and(|o| o.status.success()) {
        image_figures()?;
    } else {
        println!("\nno {IMAGE_TAG} image: `cargo run -p xtask -- image` builds it and prints its figures");
    }
    Ok(())
}

/// Each student's verdict: the failed checks, or the error's first line.
fn verdicts(path: &Path) -> Result<BTreeMap<String, String>> {
    let book: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?)?;
    let mut out = BTreeMap::new();
    for s in book["students"].as_array().into_iter().flatten() {
        let o = &s["grades"][0]["outcome"];
        let v = match o["status"].as_str() {
            Some("graded") => {
                let failed: Vec<&str> = o["checks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|c| c["passed"] == false)
                    .filter_map(|c| c["id"].as_str())
                    .collect();
                format!(
                    "{} failed: [{}]{}",
                    o["score"],
                    failed.join(","),
                    if o["build_failed"] == true { " build failed" } else { "" }
                )
            }
            Some(other) => format!("{other}: {}", o["message"].as_str().unwrap_or("").lines().next().unwrap_or("")),
            None => "?".into(),
        };
        out.insert(s["student"].as_str().unwrap_or("?").to_string(), v);
    }
    Ok(out)
}

/// `cargo run -p xtask -- image`: builds `grader/Dockerfile` with BuildKit (buildx), with the
/// host's CA bundle as a secret, then prints its figures.
pub fn image(root: &Path) -> Result<()> {
    let buildx = Command::new("docker").args(["buildx", "version"]).output().is_ok_and(|o| o.status.success());
    if !buildx {
        bail!(
            "the image builds with BuildKit: install docker-buildx (on the development machine: \
             DOCKER_CONFIG=/opt/docker26/cli after `bash .ci/engine-newer.sh start`)"
        );
    }
    let mut cmd = Command::new("docker");
    cmd.args(["buildx", "build", "--load", "--progress=plain", "-f", "grader/Dockerfile", "-t", IMAGE_TAG]);
    let ca = PathBuf::from("/etc/ssl/certs/ca-certificates.crt");
    if ca.is_file() {
        cmd.arg("--secret").arg(format!("id=ca,src={}", ca.display()));
    }
    cmd.arg(".").current_dir(root);
    let started = Instant::now();
    run(&mut cmd)?;
    println!("grader image build: {:.1} s", started.elapsed().as_secs_f64());
    image_figures()
}

fn image_figures() -> Result<()> {
    let out = Command::new("docker").args(["image", "inspect", "--format", "{{.Size}}", IMAGE_TAG]).output()?;
    let size: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().context("reading the image size")?;
    println!("\ngrader image {IMAGE_TAG}: {:.1} MB", size as f64 / 1e6);
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let out = Command::new("docker").args(["run", "--rm", IMAGE_TAG, "--version"]).output()?;
        if !out.status.success() {
            bail!("docker run {IMAGE_TAG} --version failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        times.push(started.elapsed());
    }
    println!("docker run --rm {IMAGE_TAG} --version: first {:.2} s, median of 5 {:.2} s", times[0].as_secs_f64(), {
        let mut sorted = times.clone();
        sorted.sort();
        sorted[sorted.len() / 2].as_secs_f64()
    });
    Ok(())
}
