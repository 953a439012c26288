//! Bad, hostile and faulty inputs, each run through the real `grader` binary: its exit code and
//! what it tells the learner. The results are the list in the book's instructor chapter
//! (`book/src/generated/bad-inputs.md`); this test fails when the committed list and the
//! grader's behaviour differ. `UPDATE_BOOK=1 cargo test -p grader --test bad_inputs` rewrites it.
//!
//! Every case here is decided before a build starts (the engine answers, nothing is built), so
//! the test takes seconds. Inputs that need a build or a run (a FIFO in the context, a build
//! over its timeout, a signal mid-build, a hostile smoke run) have their own tests in
//! `tests/grader.rs`; the instructor chapter names them.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

const TABLE: &str = "book/src/generated/bad-inputs.md";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A workbook of its own: ex1 and ex2 as learners receive them, and the solutions.
fn workbook() -> tempfile::TempDir {
    let root = tempfile::Builder::new().prefix("workbook-").tempdir().unwrap();
    for (from, to) in
        [("exercises/ex1", "exercises/ex1"), ("exercises/ex2", "exercises/ex2"), ("solutions", "solutions")]
    {
        copy(&repo().join(from), &root.path().join(to));
    }
    root
}

fn copy(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// What one case does to a fresh workbook before running the grader.
type Setup = fn(&Path);

struct Case {
    group: &'static str,
    input: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    setup: Setup,
    /// The exit code the grader must give.
    code: i32,
    /// Words the message must contain (the table shows the message itself).
    says: &'static str,
}

fn nothing(_: &Path) {}

fn write(root: &Path, rel: &str, content: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn edit_spec(root: &Path, from: &str, to: &str) {
    let path = root.join("exercises/ex1/exercise.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "ex1's spec no longer holds `{from}`: update this case");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn replace_with_link(root: &Path, rel: &str, target: &str) {
    let path = root.join(rel);
    std::fs::remove_file(&path).unwrap();
    symlink(target, &path).unwrap();
}

fn cases() -> Vec<Case> {
    const DF: &str = "exercises/ex1/Dockerfile";
    vec![
        // -- naming the exercise
        Case {
            group: "command line",
            input: "an exercise that does not exist",
            args: &["check", "ex99"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "no exercise `ex99`",
        },
        Case {
            group: "command line",
            input: "a mistyped exercise id",
            args: &["check", "exl"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "did you mean `ex1`",
        },
        Case {
            group: "command line",
            input: "a file named instead of an exercise",
            args: &["check", "exercises/ex1/main.go"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "is a file",
        },
        Case {
            group: "command line",
            input: "a folder that is not an exercise",
            args: &["check", "./solutions"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "has no exercise.toml",
        },
        Case {
            group: "command line",
            input: "a path that does not exist",
            args: &["check", "./nowhere/ex1"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "no exercise",
        },
        Case {
            group: "command line",
            input: "an unknown option",
            args: &["check", "ex1", "--frobnicate"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "unexpected argument",
        },
        Case {
            group: "command line",
            input: "an unknown output format",
            args: &["check", "ex1", "--format", "yaml"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "invalid value",
        },
        Case {
            group: "command line",
            input: "a build timeout of zero",
            args: &["check", "ex1", "--timeout", "0"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "timeout",
        },
        Case {
            group: "command line",
            input: "an explanation of an unknown lint rule",
            args: &["explain", "GR999"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "GR999",
        },
        Case {
            group: "command line",
            input: "`reset` off a terminal without --yes",
            args: &["reset", "ex1"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "--yes",
        },
        Case {
            group: "command line",
            input: "`solution` before the exercise passed",
            args: &["solution", "ex1"],
            env: &[],
            setup: nothing,
            code: 1,
            says: "--force",
        },
        // -- the exercise's spec (exercise.toml)
        Case {
            group: "spec",
            input: "a key the spec does not know",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| edit_spec(r, "title =", "titel = \"x\"\ntitle ="),
            code: 2,
            says: "titel",
        },
        Case {
            group: "spec",
            input: "a spec that is not TOML",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| write(r, "exercises/ex1/exercise.toml", b"title = \"x\n[["),
            code: 2,
            says: "TOML parse error",
        },
        Case {
            group: "spec",
            input: "a spec that is binary garbage",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| write(r, "exercises/ex1/exercise.toml", &[0xff, 0xfe, 0, 1, 2, 0x80]),
            code: 2,
            says: "UTF-8",
        },
        Case {
            group: "spec",
            input: "points past what a u32 holds",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| edit_spec(r, "points = 25", "points = 99999999999"),
            code: 2,
            says: "points",
        },
        Case {
            group: "spec",
            input: "a smoke run with `memory_mb = 0`",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| edit_spec(r, "timeout_s = 20", "timeout_s = 20\nmemory_mb = 0"),
            code: 2,
            says: "memory_mb",
        },
        Case {
            group: "spec",
            input: "a cache check whose `source` climbs out with `..`",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| edit_spec(r, "source = \"main.go\"", "source = \"../../outside.go\""),
            code: 2,
            says: "source",
        },
        Case {
            group: "spec",
            input: "a spec that is a symlink to a host file",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| replace_with_link(r, "exercises/ex1/exercise.toml", "/etc/passwd"),
            code: 2,
            says: "exercise.toml",
        },
        Case {
            group: "spec",
            input: "an exercise folder whose spec was deleted",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| std::fs::remove_file(r.join("exercises/ex1/exercise.toml")).unwrap(),
            code: 2,
            says: "git checkout -- exercises/ex1/exercise.toml",
        },
        // -- the learner's Dockerfile, read by lint (no engine)
        Case {
            group: "Dockerfile (lint)",
            input: "no Dockerfile at all",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| std::fs::remove_file(r.join(DF)).unwrap(),
            code: 2,
            says: "does not exist",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "an empty Dockerfile",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, b""),
            code: 2,
            says: "FROM",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "only `ARG` lines (killed dockerd 20.10's frontend)",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, b"ARG A=1\nARG B\n"),
            code: 2,
            says: "FROM",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "an unknown instruction",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, b"FROM golang:1-trixie\nFETCH x\n"),
            code: 2,
            says: "FETCH",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a broken JSON-form `CMD [`",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, b"FROM golang:1-trixie\nCMD [\"/app\"\n"),
            code: 1,
            says: "JSON",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "`COPY --from` a stage that does not exist",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, b"FROM golang:1-trixie AS build\nFROM scratch\nCOPY --from=biuld /x /x\n"),
            code: 1,
            says: "biuld",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a line over the engine's 64 KiB",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, format!("FROM golang:1-trixie\nRUN echo {}\n", "x".repeat(70_000)).as_bytes()),
            code: 2,
            says: "64 KiB",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a Dockerfile over 1 MiB",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, format!("FROM golang:1-trixie\n{}", "# padding\n".repeat(120_000)).as_bytes()),
            code: 2,
            says: "over the grader's limit",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a Dockerfile that is not UTF-8",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| write(r, DF, b"FROM golang:1-trixie\nRUN echo \xff\xfe\n"),
            code: 2,
            says: "is not UTF-8 text",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a Dockerfile linked to /etc/shadow",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| replace_with_link(r, DF, "/etc/shadow"),
            code: 2,
            says: "outside",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a Dockerfile linked to /dev/zero",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| replace_with_link(r, DF, "/dev/zero"),
            code: 2,
            says: "outside",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a Dockerfile that is a FIFO",
            args: &["lint", "ex1"],
            env: &[],
            setup: fifo_dockerfile,
            code: 2,
            says: "regular file",
        },
        Case {
            group: "Dockerfile (lint)",
            input: "a Dockerfile that is a folder",
            args: &["lint", "ex1"],
            env: &[],
            setup: |r| {
                std::fs::remove_file(r.join(DF)).unwrap();
                std::fs::create_dir(r.join(DF)).unwrap();
            },
            code: 2,
            says: "Dockerfile",
        },
        // -- grading: decided before any build is sent
        Case {
            group: "grading (no build sent)",
            input: "only `ARG` lines, graded",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| write(r, DF, b"ARG A=1\n"),
            code: 1,
            says: "FROM",
        },
        Case {
            group: "grading (no build sent)",
            input: "a line over 64 KiB, graded",
            args: &["check", "ex1"],
            env: &[],
            setup: |r| write(r, DF, format!("FROM golang:1-trixie\nRUN echo {}\n", "x".repeat(70_000)).as_bytes()),
            code: 1,
            says: "64 KiB",
        },
        Case {
            group: "grading (no build sent)",
            input: "a context over GRADER_MAX_CONTEXT_MB",
            args: &["check", "ex1"],
            env: &[("GRADER_MAX_CONTEXT_MB", "1")],
            setup: |r| write(r, "exercises/ex1/big.bin", &vec![7u8; 3 << 20]),
            code: 2,
            says: "big.bin",
        },
        Case {
            group: "grading (no build sent)",
            input: "no engine at DOCKER_HOST",
            args: &["check", "ex1"],
            env: &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")],
            setup: nothing,
            code: 2,
            says: "/nonexistent/docker.sock",
        },
        Case {
            group: "grading (no build sent)",
            input: "a closed TCP port at DOCKER_HOST",
            args: &["check", "ex1"],
            env: &[("DOCKER_HOST", "tcp://127.0.0.1:9")],
            setup: nothing,
            code: 2,
            says: "127.0.0.1:9",
        },
        Case {
            group: "grading (no build sent)",
            input: "a DOCKER_HOST the grader cannot read",
            args: &["check", "ex1"],
            env: &[("DOCKER_HOST", "carrier-pigeon://loft")],
            setup: nothing,
            code: 2,
            says: "carrier-pigeon",
        },
        Case {
            group: "grading (no build sent)",
            input: "a docker context that does not exist",
            args: &["check", "ex1"],
            env: &[("DOCKER_CONTEXT", "nosuch-context")],
            setup: nothing,
            code: 2,
            says: "nosuch-context",
        },
        Case {
            group: "grading (no build sent)",
            input: "TLS asked for, with no certificates where DOCKER_CERT_PATH says",
            args: &["check", "ex1"],
            env: &[
                ("DOCKER_HOST", "tcp://127.0.0.1:9"),
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", "/nonexistent/certs"),
            ],
            setup: nothing,
            code: 2,
            says: "/nonexistent/certs",
        },
        // -- the learner's progress file
        Case {
            group: "state",
            input: "a corrupt .grader-state.toml",
            args: &["list"],
            env: &[],
            setup: |r| write(r, ".grader-state.toml", b"\x00\x01[[[ not toml"),
            code: 0,
            says: "not started",
        },
        Case {
            group: "state",
            input: "an exercises/ folder with a stray, spec-less folder",
            args: &["list"],
            env: &[],
            setup: |r| std::fs::create_dir_all(r.join("exercises/ex1-old")).unwrap(),
            code: 0,
            says: "not listed: exercises/ex1-old/",
        },
    ]
}

fn fifo_dockerfile(root: &Path) {
    let path = root.join("exercises/ex1/Dockerfile");
    std::fs::remove_file(&path).unwrap();
    let status = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success());
}

/// Escape codes out, the temporary workbook's path and the host's name replaced, so the table
/// is the same on every machine.
fn normalize(text: &str, root: &Path) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    let root = root.display().to_string();
    let real = std::fs::canonicalize(&root).map(|p| p.display().to_string()).unwrap_or_default();
    out.replace(&real, "<workbook>").replace(&root, "<workbook>")
}

/// The message as the table shows it: its first line and, when that does not say it, the line
/// that names the cause (`says`), without excerpts of the file (`3 | titel = "x"`), at most
/// 240 characters.
fn message(text: &str, says: &str) -> String {
    let excerpt = |l: &str| {
        let rest = l.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
        rest.starts_with('|')
    };
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !excerpt(l)).collect();
    let first = lines.first().copied().unwrap_or("(nothing)");
    let mut shown = first.to_string();
    if !first.contains(says) {
        if let Some(cause) = lines.iter().find(|l| l.contains(says)) {
            // A short first line is the context (the file, the exercise); a long one is another
            // finding, and only the cause is shown.
            shown = if first.len() < 90 { format!("{first} … {cause}") } else { cause.to_string() };
        }
    }
    shown = shown.replace('<', "&lt;").replace('>', "&gt;").replace('*', "\\*").replace('_', "\\_");
    // A token too long to wrap (a context's SHA-256 folder) is shortened in its middle.
    shown = shown
        .split(' ')
        .map(|w| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() > 48 {
                format!(
                    "{}…{}",
                    chars[..20].iter().collect::<String>(),
                    chars[chars.len() - 20..].iter().collect::<String>()
                )
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if shown.chars().count() > 240 {
        shown = shown.chars().take(237).collect::<String>() + "...";
    }
    shown
}

#[test]
fn every_bad_input_gets_its_exit_code_and_a_message_that_names_the_cause() {
    let mut table =
        String::from("<!-- generated by `UPDATE_BOOK=1 cargo test -p grader --test bad_inputs`; do not edit -->\n");
    let mut wrong = Vec::new();
    let mut group = "";
    for (n, case) in cases().iter().enumerate() {
        let root = workbook();
        (case.setup)(root.path());
        let mut cmd = Command::cargo_bin("grader").unwrap();
        cmd.args(case.args).current_dir(root.path()).env("NO_COLOR", "1").env("COLUMNS", "200");
        cmd.env("GRADER_ROOT", root.path()).env("HOME", root.path()).env_remove("DOCKER_CONFIG");
        // A case that names its engine sees none of the test's own engine variables: with
        // DOCKER_HOST set, the docker CLI (and the grader) ignore DOCKER_CONTEXT.
        if case.env.iter().any(|(k, _)| k.starts_with("DOCKER_")) {
            for k in ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"] {
                cmd.env_remove(k);
            }
        }
        for (k, v) in case.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        let text = normalize(
            &(String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout)),
            root.path(),
        );
        if code != case.code || !text.contains(case.says) {
            wrong.push(format!("{}: exit {code} (want {}), must say `{}`:\n{text}", case.input, case.code, case.says));
        }
        if case.group != group {
            group = case.group;
            table.push_str(&format!("\n**{group}**\n\n"));
        }
        // A list, not a table: a table this wide scrolls sideways in a phone-sized window.
        table.push_str(&format!(
            "{}. {}: `grader {}` exits **{code}**.  \n   {}\n",
            n + 1,
            case.input,
            case.args.join(" "),
            message(&text, case.says)
        ));
    }
    assert!(wrong.is_empty(), "{} case(s) went wrong:\n\n{}", wrong.len(), wrong.join("\n\n"));
    let path = repo().join(TABLE);
    if std::env::var_os("UPDATE_BOOK").is_some() {
        std::fs::write(&path, &table).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == table,
        "{TABLE} differs from what the grader does now; review and rewrite it with \
         `UPDATE_BOOK=1 cargo test -p grader --test bad_inputs`.\n\nnow:\n{table}"
    );
}
