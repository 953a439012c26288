//! Recorded facts through the whole pure pipeline (checks, then every renderer), compared with
//! snapshots in `tests/snapshots/pipeline/`. The snapshots were written by the grader as it was
//! before the restructuring (issue 9): outputs must stay byte-identical on the same facts.
//! `UPDATE_SNAPSHOTS=1 cargo test -p grader --lib pipeline` rewrites them (review the diff).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::checks;
use crate::facts::build::{BuildFailure, BuildOutcome, Builder, Step};
use crate::facts::image::{EntryKind, FileEntry, HistoryEntry, ImageConfig, ImageFacts, Layer};
use crate::facts::{CacheProbe, Facts, NotMeasured, Probe, Seen, SmokeRun, StopRun, TargetProbe, TargetRun};
use crate::report::{self, Format, Report};
use workbook::{spec::Spec, Exercise};

/// An exercise with one check of every kind.
const SPEC: &str = r#"
format_version = 1
title = "Go: every kind of check"
language = "go"
book = "exercises/ex1.md"
hints = ["Build in one stage, ship from another."]
[starter]
fails = ["size", "stages"]
[[check]]
kind = "size"
points = 20
max_mb = 20
max_ratio = 0.5
hints = ["The toolchain is most of it.", "COPY --from the builder."]
[[check]]
kind = "stages"
points = 10
min = 2
final_base = ["gcr.io/distroless/static-debian13*", "scratch"]
[[check]]
kind = "user"
points = 10
[[check]]
kind = "cache"
points = 10
step = "go mod download"
source = "main.go"
manifest = "go.mod"
book = "caching.md#dependencies-first"
[[check]]
kind = "absent"
points = 10
paths = ["/usr/local/go/**", "**/*.go"]
what = "the Go toolchain or Go sources"
[[check]]
kind = "present"
id = "binary"
points = 5
paths = ["/app"]
what = "the program"
[[check]]
kind = "smoke"
points = 10
port = 8080
path = "/healthz"
[[check]]
kind = "context"
points = 5
max_mb = 1
forbid = [".env", ".git"]
must_ignore = [".git/HEAD"]
canary = "CANARY-123"
[[check]]
kind = "target"
points = 5
target = "test"
plant_dir = "tests"
tests = "pytest"
[[check]]
kind = "stop"
points = 5
within_s = 3
[[check]]
kind = "lint"
points = 5
rules = ["GR001", "GR006"]
[[check]]
kind = "targets"
points = 5
targets = ["debian", "distroless"]
max_mb = 10
port = 8080
"#;

const SOLUTION: &str = "FROM golang:1-trixie AS builder\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\nFROM builder AS test\nRUN go test ./...\n\nFROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=builder /app /app\nENTRYPOINT [\"/app\"]\n";

const STARTER: &str = "FROM golang:1-trixie\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /usr/local/bin/greeter .\nCMD /usr/local/bin/greeter\n";

fn exercise() -> Exercise {
    Exercise { id: "ex1".into(), dir: PathBuf::from("exercises/ex1"), spec: Spec::parse(SPEC).unwrap() }
}

fn step(name: &str, cached: bool) -> Step {
    Step { name: name.into(), cached, started: !cached, completed: true, ..Step::default() }
}

fn outcome(steps: Vec<Step>) -> BuildOutcome {
    BuildOutcome {
        builder: Builder::BuildKit,
        steps,
        failure: None,
        stopped_early: false,
        duration: Duration::from_millis(12_345),
    }
}

fn failed(message: &str) -> BuildOutcome {
    BuildOutcome {
        failure: Some(BuildFailure {
            message: message.into(),
            step: None,
            line: None,
            missing_base: None,
            infrastructure: None,
        }),
        ..outcome(vec![])
    }
}

fn solution_build(cached: [bool; 4]) -> BuildOutcome {
    outcome(vec![
        step("[internal] load build context", false),
        step("[builder 1/6] FROM docker.io/library/golang:1-trixie", true),
        step("[builder 2/6] WORKDIR /src", cached[0]),
        step("[builder 3/6] COPY go.mod ./", cached[1]),
        step("[builder 4/6] RUN go mod download", cached[2]),
        step("[builder 5/6] COPY . .", cached[3]),
    ])
}

fn file(layer: usize) -> FileEntry {
    FileEntry { kind: EntryKind::File, size: 10, mode: 0o755, uid: 0, layer }
}

fn image(layers: &[(&str, u64)], files: &[(&str, usize)], user: &str, passwd: Option<&str>) -> ImageFacts {
    ImageFacts {
        id: "sha256:0123".into(),
        engine_size: layers.iter().map(|(_, b)| b).sum::<u64>() + 4_000_000,
        content_size: layers.iter().map(|(_, b)| b).sum(),
        config: ImageConfig {
            user: user.into(),
            exposed_ports: vec!["8080/tcp".into()],
            entrypoint: vec!["/app".into()],
            ..ImageConfig::default()
        },
        history: layers.iter().map(|(c, _)| HistoryEntry { created_by: c.to_string(), empty_layer: false }).collect(),
        layers: layers
            .iter()
            .map(|(c, b)| Layer { content_bytes: *b, entries: 3, created_by: c.to_string() })
            .collect(),
        files: files.iter().map(|(p, l)| (p.to_string(), file(*l))).collect(),
        captured: passwd.map(|p| BTreeMap::from([("/etc/passwd".to_string(), p.to_string())])).unwrap_or_default(),
        canary_hits: vec![],
        copies: vec![],
        canary_in_config: vec![],
        canary_limits: vec![],
        config_json: "{}".into(),
    }
}

fn base_facts(dockerfile: &str, build: BuildOutcome, image: Option<ImageFacts>) -> Facts {
    Facts {
        dockerfile_path: "exercises/ex1/Dockerfile".into(),
        dockerfile: dockerfile::parse(dockerfile).map_err(|e| e.to_string()),
        context_files: 4,
        context_bytes: 2_345,
        context_paths: vec![("main.go".into(), 2_000), ("go.mod".into(), 300), ("Dockerfile".into(), 45)],
        context_ignore: crate::dockerignore::Dockerignore::parse(".git\n.env\n").unwrap(),
        context_canary: None,
        originals: None,
        build,
        image,
        probes: BTreeMap::new(),
        probe_time: BTreeMap::new(),
        bases: Vec::new(),
        engine_version: "20.10.24+dfsg1".into(),
        run_id: "0a1b2c3d4e".into(),
    }
}

fn smoke(seen: Seen, logs: &str) -> SmokeRun {
    SmokeRun { seen, logs: logs.into(), elapsed_ms: 812 }
}

fn answered() -> Seen {
    Seen::Answered { status: 200, body_has_text: true, identity: None }
}

fn exited_early(code: i64) -> Seen {
    Seen::ExitedEarly { code, oom_killed: false }
}

/// Records check `id`'s probe result.
fn measured(f: &mut Facts, id: &str, probe: Probe) {
    f.probes.insert(id.into(), Ok(probe));
}

fn not_measured(f: &mut Facts, id: &str, why: &str) {
    f.probes.insert(id.into(), Err(NotMeasured(why.into())));
}

fn target_run(target: &str, size: u64, answers: bool) -> TargetRun {
    TargetRun {
        target: target.into(),
        failure: None,
        size,
        layers: 4,
        packages: if target == "debian" { 78 } else { 0 },
        shell: target == "debian",
        user: if target == "debian" { String::new() } else { "65532".into() },
        smoke: Some(match answers {
            true => smoke(answered(), ""),
            false => smoke(exited_early(1), "boom\n"),
        }),
    }
}

/// The reference solution: everything measured, everything passing.
fn passing() -> Facts {
    let img = image(
        &[("base distroless", 2_000_000), ("COPY /app /app # buildkit", 6_500_000)],
        &[("/app", 1), ("/etc/passwd", 0)],
        "65532",
        Some("root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"),
    );
    let mut f = base_facts(SOLUTION, solution_build([false; 4]), Some(img));
    measured(&mut f, "size", Probe::StarterSize(795_000_000));
    measured(
        &mut f,
        "cache",
        Probe::Cache(CacheProbe {
            after_source_edit: solution_build([true, true, true, false]),
            after_manifest_edit: solution_build([true, false, false, false]),
            rebuilt_unedited: true,
        }),
    );
    measured(&mut f, "smoke", Probe::Smoke(smoke(answered(), "")));
    measured(
        &mut f,
        "target",
        Probe::Target(TargetProbe {
            as_is: outcome(vec![]),
            with_passing: outcome(vec![]),
            with_failing: failed("exit code: 1"),
            passing_test: "test_1".into(),
            failing_test: "test_2".into(),
        }),
    );
    measured(
        &mut f,
        "stop",
        Probe::Stop(StopRun {
            signal: "SIGTERM".into(),
            stop_signal: None,
            exited_after_ms: Some(412),
            exit_code: Some(0),
            watched_s: 8,
        }),
    );
    measured(
        &mut f,
        "targets",
        Probe::Targets(vec![target_run("debian", 85_000_000, true), target_run("distroless", 8_000_000, true)]),
    );
    f
}

/// The starter: measured, and failing in every way it can.
fn failing() -> Facts {
    let build = outcome(vec![
        step("[1/5] FROM docker.io/library/golang:1-trixie", true),
        step("[2/5] WORKDIR /src", false),
        step("[3/5] COPY . .", false),
        step("[4/5] RUN go mod download", false),
        step("[5/5] RUN go build -o /usr/local/bin/greeter .", false),
    ]);
    let mut img = image(
        &[
            ("debian layer", 120_000_000),
            ("golang layer", 572_000_000),
            ("WORKDIR /src", 0),
            ("COPY . . # buildkit", 2_345),
            ("RUN /bin/sh -c go mod download # buildkit", 4_000_000),
            ("RUN /bin/sh -c go build -o /usr/local/bin/greeter . # buildkit", 99_000_000),
        ],
        &[
            ("/usr/local/go/bin/go", 1),
            ("/usr/local/go/bin/gofmt", 1),
            ("/src/main.go", 3),
            ("/src/.env", 3),
            ("/usr/local/bin/greeter", 5),
        ],
        "",
        None,
    );
    img.canary_hits = vec![crate::facts::image::CanaryHit { path: "/src/.env".into(), layer: 3, how: "as is".into() }];
    img.canary_in_config =
        vec![crate::facts::image::ConfigHit { place: "ENV WEBHOOK_SECRET".into(), how: "as is".into() }];
    let mut f = base_facts(STARTER, build.clone(), Some(img));
    f.context_paths.push((".env".into(), 40));
    f.context_paths.push((".git/HEAD".into(), 2_000_000));
    f.context_bytes = 2_002_385;
    f.context_ignore = Default::default();
    not_measured(&mut f, "size", "the starter image could not be built: the starter's build failed: exit code 1");
    measured(
        &mut f,
        "cache",
        Probe::Cache(CacheProbe {
            after_source_edit: build.clone(),
            after_manifest_edit: build,
            rebuilt_unedited: false,
        }),
    );
    measured(&mut f, "smoke", Probe::Smoke(smoke(exited_early(127), "exec: no such file\n\n")));
    measured(
        &mut f,
        "target",
        Probe::Target(TargetProbe {
            as_is: outcome(vec![]),
            with_passing: outcome(vec![]),
            with_failing: outcome(vec![]),
            passing_test: "test_1".into(),
            failing_test: "test_2".into(),
        }),
    );
    measured(
        &mut f,
        "stop",
        Probe::Stop(StopRun {
            signal: "SIGTERM".into(),
            stop_signal: None,
            exited_after_ms: None,
            exit_code: None,
            watched_s: 8,
        }),
    );
    let mut broken = target_run("distroless", 0, false);
    broken.failure = Some("failed to solve: exit code: 2\nprocess \"/bin/sh -c make\" did not complete".into());
    measured(&mut f, "targets", Probe::Targets(vec![target_run("debian", 85_000_000, false), broken]));
    f
}

/// A build that succeeded, but whose probes could not measure.
fn unmeasured() -> Facts {
    let mut f = passing();
    for no_probe in ["size", "smoke", "target", "targets"] {
        f.probes.remove(no_probe);
    }
    not_measured(&mut f, "cache", "the probe edits `main.go`, but the exercise has no such file");
    not_measured(&mut f, "stop", "the container exited (code 1) before it was signalled");
    f
}

/// Probes that measured something odd: slow stop, cache broken before the step, no stage.
fn odd() -> Facts {
    let mut f = passing();
    measured(
        &mut f,
        "cache",
        Probe::Cache(CacheProbe {
            after_source_edit: solution_build([true, false, false, false]),
            after_manifest_edit: solution_build([true, false, false, false]),
            rebuilt_unedited: false,
        }),
    );
    measured(
        &mut f,
        "stop",
        Probe::Stop(StopRun {
            signal: "SIGTERM".into(),
            stop_signal: None,
            exited_after_ms: Some(7_200),
            exit_code: Some(137),
            watched_s: 8,
        }),
    );
    measured(
        &mut f,
        "target",
        Probe::Target(TargetProbe {
            as_is: failed("failed to solve: target stage \"test\" could not be found"),
            with_passing: failed("x"),
            with_failing: failed("x"),
            passing_test: "test_1".into(),
            failing_test: "test_2".into(),
        }),
    );
    measured(&mut f, "size", Probe::StarterSize(12_000_000));
    f
}

/// The main build failed at a step.
fn build_failed() -> Facts {
    let mut s = step("[builder 6/6] RUN CGO_ENABLED=0 go build -o /app .", false);
    s.log_tail = (1..=20).map(|i| format!("./main.go:{i}: undefined: x\n")).collect::<String>() + "\n";
    s.error = Some("exit code: 1".into());
    let mut build = solution_build([true; 4]);
    build.steps.push(s);
    build.failure = Some(BuildFailure {
        message: "process \"/bin/sh -c CGO_ENABLED=0 go build -o /app .\" did not complete successfully: exit code: 1"
            .into(),
        step: Some(6),
        line: None,
        missing_base: None,
        infrastructure: None,
    });
    base_facts(SOLUTION, build, None)
}

fn render_all(report: &Report) -> Vec<(&'static str, String)> {
    use crate::output::Style;
    let wide = Style { color: false, unicode: true, width: 110 };
    let colour = Style { color: true, ..wide };
    vec![
        ("json", report::render(report, Format::Json, wide)),
        ("table", report::render(report, Format::Table, wide)),
        ("table-colour", report::render(report, Format::Table, colour)),
        ("table-plain-80", report::render(report, Format::Table, Style::PLAIN)),
        ("junit", report::render(report, Format::Junit, wide)),
        ("github", report::render(report, Format::Github, wide)),
        (
            "github-summary",
            report::github::summary(&report::Grading::one(report::Graded::Done(Box::new(report.clone())))),
        ),
        ("classroom", report::render(report, Format::Classroom, wide)),
    ]
}

#[test]
fn recorded_facts_render_as_before() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/pipeline");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let ex = exercise();
    let mut mismatches = Vec::new();
    for (name, facts) in [
        ("passing", passing()),
        ("failing", failing()),
        ("unmeasured", unmeasured()),
        ("odd", odd()),
        ("build-failed", build_failed()),
    ] {
        let verdicts = checks::evaluate(&ex.spec, &facts);
        let report = Report::new(&ex, &facts, verdicts);
        for (format, text) in render_all(&report) {
            let path = dir.join(format!("{name}.{format}.txt"));
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if want != text {
                mismatches.push(format!("{}:\n--- want\n{want}\n--- got\n{text}", path.display()));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
