//! Every rule with a Dockerfile that trips it and one that does not, plus pragmas, options,
//! config files and the renderers.

use super::*;
use crate::parse;

fn run(src: &str) -> Vec<Finding> {
    run_with(src, &LintOptions::default())
}

fn run_with(src: &str, opts: &LintOptions) -> Vec<Finding> {
    let df = parse(src).unwrap_or_else(|e| panic!("test Dockerfile does not parse: {e}\n{src}"));
    lint(&df, opts)
}

/// The findings of one rule as (line, message).
fn of(rule: &str, src: &str) -> Vec<(usize, String)> {
    run(src).into_iter().filter(|f| f.rule == rule).map(|f| (f.line, f.message)).collect()
}

fn fires(rule: &str, src: &str) -> Vec<usize> {
    of(rule, src).into_iter().map(|(l, _)| l).collect()
}

/// A runtime stage that trips none of the runtime rules, to append to builder examples.
const CLEAN_RUNTIME: &str =
    "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n";

#[test]
fn registry_is_complete_and_ordered() {
    let ids: Vec<&str> = rules().iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "ids unique and in order");
    for r in rules() {
        assert!(r.id.starts_with("GR") && r.id.len() == 5, "{}", r.id);
        assert!(!r.summary.contains('\n'), "{}: summary is one line", r.id);
        assert!(r.explanation.contains("Bad:") && r.explanation.contains("Good:"), "{}", r.id);
        assert!(r.book.contains(".md#"), "{}", r.id);
        assert!(rule(r.name).is_some_and(|x| x.id == r.id));
    }
}

#[test]
fn gr001_pin_base_tag() {
    assert_eq!(fires("GR001", "FROM python\n"), [1]);
    assert_eq!(fires("GR001", "FROM node:latest AS build\nFROM build\n"), [1]);
    assert_eq!(fires("GR001", "ARG BASE=alpine\nFROM ${BASE}\n"), [2], "resolved through ARG");
    let msg = &of("GR001", "ARG BASE=alpine\nFROM ${BASE}\n")[0].1;
    assert!(msg.contains("`alpine` (from `${BASE}`)"), "{msg}");
    assert!(fires("GR001", "FROM python:3.13-slim\n").is_empty());
    assert!(fires("GR001", "FROM scratch\n").is_empty());
    assert!(fires("GR001", "FROM alpine@sha256:0123\n").is_empty());
    assert!(fires("GR001", "FROM golang:1.24 AS b\nFROM b\n").is_empty(), "stage ref");
    assert!(fires("GR001", "ARG V=3.20\nFROM alpine:${V}\n").is_empty());
    assert!(fires("GR001", "FROM localhost:5000/app:1.0\n").is_empty());
    assert_eq!(fires("GR001", "FROM localhost:5000/app\n"), [1]);
}

#[test]
fn gr002_apt_update_alone() {
    let bad = "FROM debian:trixie-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n";
    assert_eq!(fires("GR002", bad), [2]);
    let good = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n";
    assert!(fires("GR002", good).is_empty());
}

#[test]
fn gr003_apt_lists_only_in_final_stage() {
    let bad = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n";
    assert_eq!(fires("GR003", bad), [2]);
    let good = "FROM debian:trixie-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n";
    assert!(fires("GR003", good).is_empty());
    let cached = "FROM debian:trixie-slim\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y --no-install-recommends curl\n";
    assert!(fires("GR003", cached).is_empty());
    let builder =
        format!("FROM debian:trixie-slim AS build\nRUN apt-get update && apt-get install -y gcc\n{CLEAN_RUNTIME}");
    assert!(fires("GR003", &builder).is_empty(), "builder stages are exempt");
}

#[test]
fn gr004_no_install_recommends() {
    let bad = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n";
    assert_eq!(fires("GR004", bad), [2]);
    let good = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n";
    assert!(fires("GR004", good).is_empty());
    let builder =
        format!("FROM debian:trixie-slim AS build\nRUN apt-get update && apt-get install -y gcc\n{CLEAN_RUNTIME}");
    assert!(fires("GR004", &builder).is_empty());
}

#[test]
fn gr005_pip_no_cache_dir() {
    let bad = "FROM python:3.13-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n";
    assert_eq!(fires("GR005", bad), [3]);
    assert!(fires("GR005", "FROM python:3.13-slim\nRUN pip install --no-cache-dir -r requirements.txt\n").is_empty());
    assert!(fires(
        "GR005",
        "FROM python:3.13-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
    )
    .is_empty());
    assert!(
        fires("GR005", "FROM python:3.13-slim\nENV PIP_NO_CACHE_DIR=1\nRUN python -m pip install flask\n").is_empty()
    );
    let builder = "FROM python:3.13-slim AS build\nRUN pip install -r requirements.txt\nFROM python:3.13-slim\nCOPY --from=build /venv /venv\n";
    assert!(fires("GR005", builder).is_empty(), "builder stages are exempt");
}

#[test]
fn gr006_copy_context_before_deps() {
    let bad = "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n";
    assert_eq!(fires("GR006", bad), [4]);
    let msg = &of("GR006", bad)[0].1;
    assert!(msg.contains("`COPY . .` (line 3)") && msg.contains("package.json"), "{msg}");
    let good = "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n";
    assert!(fires("GR006", good).is_empty());
    let rust_good = "FROM rust:1.85 AS build\nCOPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo 'fn main(){}' > src/main.rs && cargo build --release\nCOPY . .\nRUN cargo build --release\n";
    assert!(fires("GR006", rust_good).is_empty());
    let py_bad =
        "FROM python:3.13-slim AS build\nCOPY . /app\nRUN pip install --no-cache-dir -r /app/requirements.txt\n";
    assert_eq!(fires("GR006", py_bad), [3]);
    let go_bad = "FROM golang:1.24 AS build\nCOPY ./ ./\nRUN go mod download && go build -o /app .\n";
    assert_eq!(fires("GR006", go_bad), [3]);
    let go_build_only = "FROM golang:1.24 AS build\nCOPY . .\nRUN go build -o /app .\n";
    assert_eq!(fires("GR006", go_build_only), [3], "go build fetches modules too");
    assert!(of("GR006", go_build_only)[0].1.contains("`go mod download`"));
    let go_good =
        "FROM golang:1.24 AS build\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n";
    assert!(fires("GR006", go_good).is_empty());
}

#[test]
fn gr007_copy_from_unknown_stage() {
    let typo = "FROM golang:1.24 AS build\nRUN go build -o /out/app .\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=buidler /out/app /app\n";
    assert_eq!(fires("GR007", typo), [4]);
    assert!(of("GR007", typo)[0].1.contains("earlier stages: build"));
    let later = "FROM alpine:3.20 AS a\nCOPY --from=b /x /x\nFROM alpine:3.20 AS b\n";
    assert_eq!(fires("GR007", later), [2]);
    assert!(of("GR007", later)[0].1.contains("defined later (line 3)"));
    let index = "FROM alpine:3.20\nCOPY --from=0 /x /x\nFROM alpine:3.20\nCOPY --from=0 /x /x\nCOPY --from=5 /x /x\n";
    assert_eq!(fires("GR007", index), [2, 5]);
    let mount = "FROM alpine:3.20\nRUN --mount=type=bind,from=nope,target=/x true\n";
    assert_eq!(fires("GR007", mount), [2]);
    let good = "FROM golang:1.24 AS Build\nFROM alpine:3.20\nCOPY --from=build /a /a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=ghcr.io/org/tool /t /t\nCOPY --from=0 /b /b\nCOPY --from=${X} /c /c\n";
    assert!(fires("GR007", good).is_empty());
}

#[test]
fn gr008_stage_name_conflict() {
    let dup = "FROM alpine:3.20 AS build\nFROM alpine:3.20 AS Build\n";
    assert_eq!(fires("GR008", dup), [2]);
    assert_eq!(fires("GR008", "FROM alpine:3.20 AS scratch\n"), [1]);
    assert_eq!(fires("GR008", "FROM alpine:3.20 AS context\n"), [1]);
    assert!(fires("GR008", "FROM alpine:3.20 AS a\nFROM alpine:3.20 AS b\n").is_empty());
}

#[test]
fn gr009_final_stage_root() {
    let none = "FROM debian:trixie-slim\nCMD [\"app\"]\n";
    assert_eq!(fires("GR009", none), [1]);
    assert!(of("GR009", none)[0].1.contains("`user` check"));
    let explicit = "FROM debian:trixie-slim\nUSER app\nUSER 0:0\n";
    assert_eq!(fires("GR009", explicit), [3]);
    let builder_user = "FROM debian:trixie-slim AS build\nUSER app\nFROM debian:trixie-slim\nCOPY --from=build /a /a\n";
    assert_eq!(fires("GR009", builder_user), [3], "a USER in a builder stage proves nothing");
    assert!(fires("GR009", "FROM debian:trixie-slim\nUSER app\n").is_empty());
    assert!(fires("GR009", "FROM gcr.io/distroless/static-debian12:nonroot\n").is_empty());
    assert!(fires("GR009", "FROM cgr.dev/chainguard/static:latest\n").is_empty());
    let inherited = "FROM debian:trixie-slim AS base\nUSER 10001\nFROM base\n";
    assert!(fires("GR009", inherited).is_empty(), "inherits the base stage's USER");
    assert!(fires("GR009", "FROM debian:trixie-slim\nUSER ${UID}\n").is_empty());
}

#[test]
fn gr009_reads_root_behind_zeros_and_build_argument_defaults() {
    // The adversarial set's ex10/cheat-user-leading-zeros and cheat-user-root-from-arg.
    assert_eq!(fires("GR009", "FROM debian:trixie-slim\nUSER 000:000\n"), [2]);
    assert_eq!(fires("GR009", "FROM debian:trixie-slim\nARG RUNAS=0\nUSER ${RUNAS}\n"), [3]);
    let global = "ARG RUNAS=root\nFROM debian:trixie-slim\nARG RUNAS\nUSER $RUNAS\n";
    assert_eq!(fires("GR009", global), [4], "an ARG without a default takes the global one");
    assert!(fires("GR009", "FROM debian:trixie-slim\nARG UID=10001\nUSER ${UID}:${UID}\n").is_empty());
    assert!(fires("GR009", "FROM debian:trixie-slim\nUSER 10000\n").is_empty());
    assert!(fires("GR009", "FROM debian:trixie-slim\nARG UID\nUSER ${UID}\n").is_empty(), "unknown: no default");
}

#[test]
fn gr010_json_form_that_only_starts_a_shell() {
    // The adversarial set's ex10/cheat-lint-json-wrapped-shell.
    let wrapped = "FROM python:3.13-slim\nUSER 1000\nCMD [\"sh\", \"-c\", \"python app.py; echo done\"]\n";
    assert_eq!(fires("GR010", wrapped), [3]);
    assert!(of("GR010", wrapped)[0].1.contains("exec"), "{}", of("GR010", wrapped)[0].1);
    assert_eq!(fires("GR010", "FROM alpine:3.20\nENTRYPOINT [\"/bin/bash\", \"-c\", \"/app\"]\n"), [2]);
    assert!(fires("GR010", "FROM alpine:3.20\nCMD [\"sh\", \"-c\", \"exec /app --serve\"]\n").is_empty());
    assert!(fires("GR010", "FROM alpine:3.20\nCMD [\"sh\", \"/entry.sh\"]\n").is_empty(), "a script, not -c");
}

#[test]
fn gr010_shell_form_cmd() {
    let bad = "FROM python:3.13-slim\nUSER 1000\nCMD python -m app\n";
    assert_eq!(fires("GR010", bad), [3]);
    assert!(of("GR010", bad)[0].1.contains(r#"`CMD ["python", "-m", "app"]`"#));
    assert_eq!(fires("GR010", "FROM alpine:3.20\nENTRYPOINT /app --serve\n"), [2]);
    assert!(fires("GR010", "FROM alpine:3.20\nCMD [\"python\", \"-m\", \"app\"]\n").is_empty());
    assert!(fires("GR010", "FROM alpine:3.20\nCMD exec /app\n").is_empty());
    let builder = "FROM alpine:3.20 AS build\nCMD make\nFROM alpine:3.20\nCMD [\"/app\"]\n";
    assert!(fires("GR010", builder).is_empty(), "builder stages are exempt");
    let broken = "FROM alpine:3.20\nCMD [\"/app\", '--serve']\n";
    assert_eq!(fires("GR010", broken), [2]);
    assert!(of("GR010", broken)[0].1.contains("starts with `[` but is not valid JSON"), "{:?}", of("GR010", broken));
    // With tini as PID 1 the message does not claim docker stop waits: tini forwards the signal.
    let tini = "FROM python:3.13-slim\nUSER 1000\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD python exporter.py\n";
    let m = &of("GR010", tini)[0].1;
    assert!(m.contains("under /usr/bin/tini: /usr/bin/tini is PID 1 and forwards SIGTERM, but to the shell"), "{m}");
    assert!(!m.contains("waits out"), "{m}");
    assert!(of("GR010", bad)[0].1.contains("waits out its grace period (10 s)"));
}

#[test]
fn gr011_add_instead_of_copy() {
    assert_eq!(fires("GR011", "FROM alpine:3.20\nADD app.py /app/\n"), [2]);
    assert_eq!(fires("GR011", "FROM alpine:3.20\nADD <<EOF /x\nhi\nEOF\n"), [2]);
    assert!(fires("GR011", "FROM alpine:3.20\nADD https://example.com/a.bin /a\n").is_empty());
    assert!(fires("GR011", "FROM alpine:3.20\nADD rootfs.tar.gz /\n").is_empty());
    assert!(fires("GR011", "FROM alpine:3.20\nADD git@github.com:moby/buildkit.git#v0.14.0 /src\n").is_empty());
    assert!(fires("GR011", "FROM alpine:3.20\nCOPY app.py /app/\n").is_empty());
}

#[test]
fn gr012_toolchain_in_runtime() {
    let single = "FROM golang:1.24\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";
    assert_eq!(fires("GR012", single), [1]);
    assert!(of("GR012", single)[0].1.contains("single-stage"));
    let apt = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\n";
    assert_eq!(fires("GR012", apt), [2]);
    let apk = "FROM alpine:3.20\nRUN apk add --no-cache gcc musl-dev\n";
    assert_eq!(fires("GR012", apk), [2]);
    let multi = format!("FROM golang:1.24 AS build\nRUN go build -o /out/app .\n{CLEAN_RUNTIME}");
    assert!(fires("GR012", &multi).is_empty());
    assert!(fires("GR012", "FROM python:3.13-slim\nRUN pip install --no-cache-dir flask\n").is_empty());
    let from_builder = "FROM golang:1.24 AS build\nFROM build AS final\n";
    assert_eq!(fires("GR012", from_builder), [2], "follows FROM <stage> to the image");
}

#[test]
fn gr013_copy_whole_filesystem() {
    let bad = "FROM golang:1.24 AS build\nFROM scratch\nCOPY --from=build / /\n";
    assert_eq!(fires("GR013", bad), [3]);
    let good = "FROM golang:1.24 AS build\nFROM scratch\nCOPY --from=build /out/app /app\n";
    assert!(fires("GR013", good).is_empty());
}

#[test]
fn gr014_dependency_cache_mount() {
    let bad = "FROM golang:1.24 AS build\nCOPY go.mod go.sum ./\nRUN go mod download\n";
    let f: Vec<_> = run(bad).into_iter().filter(|f| f.rule == "GR014").collect();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].line, f[0].severity), (3, Severity::Info));
    assert!(f[0].message.contains("target=/go/pkg/mod"));
    let good = "FROM golang:1.24 AS build\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n";
    assert!(fires("GR014", good).is_empty());
    let no_cache = "FROM python:3.13-slim\nRUN pip install --no-cache-dir -r requirements.txt\n";
    assert!(fires("GR014", no_cache).is_empty());
}

#[test]
fn gr015_secret_in_arg_or_env() {
    assert_eq!(fires("GR015", "ARG NPM_TOKEN\nFROM node:22-slim\n"), [1]);
    let f = run("ARG NPM_TOKEN\nFROM node:22-slim\n");
    assert_eq!(f.iter().find(|f| f.rule == "GR015").unwrap().stage, None);
    assert_eq!(fires("GR015", "FROM alpine:3.20\nENV DB_PASSWORD=hunter2 MODE=prod\n"), [2]);
    assert_eq!(fires("GR015", "FROM alpine:3.20\nENV API_KEY abc\n"), [2]);
    assert!(fires("GR015", "FROM alpine:3.20\nENV TOKENIZER=fast MODE=prod\nARG VERSION\n").is_empty());
}

#[test]
fn runtime_rules_follow_the_target() {
    let src = "FROM debian:trixie-slim AS test\nCMD make test\nFROM gcr.io/distroless/static-debian12:nonroot\nCMD [\"/app\"]\n";
    assert!(fires("GR010", src).is_empty());
    let opts = LintOptions { target: Some("test".into()), ..Default::default() };
    let f: Vec<_> = run_with(src, &opts)
        .into_iter()
        .filter(|f| f.rule == "GR010" || f.rule == "GR009")
        .map(|f| (f.rule, f.line, f.stage))
        .collect();
    assert_eq!(f, [("GR009", 1, Some("test".to_string())), ("GR010", 2, Some("test".to_string()))]);
    let by_index = LintOptions { target: Some("0".into()), ..Default::default() };
    assert!(run_with(src, &by_index).iter().any(|f| f.rule == "GR010"));
}

#[test]
fn ignore_option_takes_ids_and_names() {
    let src = "FROM python\nRUN apt-get update\n";
    let all: Vec<_> = run(src).into_iter().map(|f| f.rule).collect();
    assert!(all.contains(&"GR001") && all.contains(&"GR002"));
    let opts = LintOptions { ignore: vec!["gr001".into(), "apt-update-alone".into()], ..Default::default() };
    let left: Vec<_> = run_with(src, &opts).into_iter().map(|f| f.rule).collect();
    assert!(!left.contains(&"GR001") && !left.contains(&"GR002"), "{left:?}");
}

#[test]
fn pragma_ignores_the_next_instruction_only() {
    let src = "# grader ignore=GR001\nFROM python\nFROM node\n";
    assert_eq!(fires("GR001", src), [3]);
    let src = "# unrelated\n# grader ignore = apt-update-alone, GR004\nFROM debian:trixie-slim\n# grader ignore=GR002\nRUN apt-get update\nRUN apt-get update\n";
    assert_eq!(fires("GR002", src), [6]);
    let all = "FROM debian:trixie-slim\n# grader ignore=all\nRUN apt-get update\n";
    assert!(fires("GR002", all).is_empty());
    assert_eq!(pragma_rules("grader ignore=GR001,GR002").unwrap(), ["GR001", "GR002"]);
    assert_eq!(pragma_rules("not a pragma"), None);
}

#[test]
fn config_file_format_and_discovery() {
    let c = LintConfig::parse("ignore = [\"GR004\", \"dependency-cache-mount\"]\ntarget = \"runtime\"\n").unwrap();
    assert_eq!(c.ignore, ["GR004", "dependency-cache-mount"]);
    assert_eq!(c.target.as_deref(), Some("runtime"));
    assert!(LintConfig::parse("ignore = [\"GR999\"]").unwrap_err().contains("GR999"));
    assert!(LintConfig::parse("ignroe = []").unwrap_err().contains("ignroe"));

    let dir = std::env::temp_dir().join(format!("grader-lint-{}", std::process::id()));
    let sub = dir.join("exercises/ex1");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(dir.join(config::FILE_NAME), "ignore = [\"GR001\"]\n").unwrap();
    let (path, found) = config::find(&sub.join("Dockerfile")).unwrap().unwrap();
    assert_eq!(found.ignore, ["GR001"]);
    assert!(path.ends_with(config::FILE_NAME));
    std::fs::write(sub.join(config::FILE_NAME), "ignore = [\"GR002\"]\n").unwrap();
    let (_, nearest) = config::find(&sub.join("Dockerfile")).unwrap().unwrap();
    assert_eq!(nearest.ignore, ["GR002"], "the nearest file wins");
    std::fs::write(sub.join(config::FILE_NAME), "ignore = 3\n").unwrap();
    let err = config::find(&sub.join("Dockerfile")).unwrap_err();
    assert!(err.to_string().contains(config::FILE_NAME));
    std::fs::remove_dir_all(&dir).unwrap();

    let opts = LintOptions::default().with_config(&c);
    assert_eq!(opts.target.as_deref(), Some("runtime"));
    let src = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n";
    assert!(!run_with(src, &opts).iter().any(|f| f.rule == "GR004"));
}

#[test]
fn findings_are_sorted_and_carry_spans() {
    let src = "FROM python\nRUN apt-get update \\\n  && apt-get install -y gcc\nCMD python app.py\n";
    let f = run(src);
    let lines: Vec<usize> = f.iter().map(|f| f.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    let gr004 = f.iter().find(|f| f.rule == "GR004").unwrap();
    assert_eq!((gr004.lines.start, gr004.lines.end), (2, 3));
}

const RENDER_SRC: &str = "FROM python AS app\nRUN apt-get update\nCMD python, app.py\n";

fn render_findings() -> (crate::Dockerfile, Vec<Finding>) {
    let df = parse(RENDER_SRC).unwrap();
    let opts = LintOptions { ignore: vec!["GR009".into()], ..Default::default() };
    let f = lint(&df, &opts);
    (df, f)
}

#[test]
fn render_text() {
    let (_, f) = render_findings();
    let out = render::text(&f, "Dockerfile", false);
    assert_eq!(
        out.lines().map(|l| l.split(':').take(2).collect::<Vec<_>>().join(":")).collect::<Vec<_>>(),
        ["Dockerfile:1 GR001 warning", "Dockerfile:2 GR002 warning", "Dockerfile:3 GR010 warning"]
    );
    assert!(!out.contains('\x1b'));
    assert!(render::text(&f, "Dockerfile", true).contains("\x1b[1;33mwarning\x1b[0m"));
}

#[test]
fn render_json() {
    let (df, f) = render_findings();
    let v: serde_json::Value = serde_json::from_str(&render::json(&df, &f, "Dockerfile")).unwrap();
    assert_eq!(v["file"], "Dockerfile");
    assert_eq!(v["stages"][0]["name"], "app");
    assert_eq!(v["stages"][0]["base"], "python");
    assert_eq!(v["stages"][0]["first_line"], 1);
    assert_eq!(v["stages"][0]["last_line"], 3);
    assert_eq!(v["stages"][0]["instructions"], 3);
    assert_eq!(v["findings"][1]["rule"], "GR002");
    assert_eq!(v["findings"][1]["name"], "apt-update-alone");
    assert_eq!(v["findings"][1]["severity"], "warning");
    assert_eq!(v["findings"][1]["line"], 2);
    assert_eq!(v["findings"][1]["book"], "caching.md#apt-update");
}

#[test]
fn render_github() {
    let (_, f) = render_findings();
    let out = render::github(&f, "ex1/Dockerfile");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("::warning file=ex1/Dockerfile,line=1,endLine=1,title=GR001 pin-base-tag::base image"),
        "{first}"
    );
    let escaped = render::github(&[Finding { message: "a%b\nc".into(), ..f[0].clone() }], "a,b:c");
    assert!(escaped.contains("file=a%2Cb%3Ac,") && escaped.ends_with("::a%25b%0Ac\n"), "{escaped}");
}

#[test]
fn render_sarif() {
    let (_, f) = render_findings();
    let v: serde_json::Value = serde_json::from_str(&render::sarif(&f, "Dockerfile")).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), rules().len());
    assert_eq!(run["results"][0]["ruleId"], "GR001");
    assert_eq!(run["results"][0]["ruleIndex"], 0);
    assert_eq!(run["results"][0]["level"], "warning");
    let region = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
}

#[test]
fn lint_of_a_200_line_dockerfile_is_well_under_a_millisecond() {
    let mut src = String::from("ARG GO=1.24\nFROM golang:${GO} AS build\nWORKDIR /src\n");
    while src.lines().count() < 190 {
        src.push_str("RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n");
    }
    src.push_str(CLEAN_RUNTIME);
    let df = parse(&src).unwrap();
    assert!(src.lines().count() >= 190);
    let opts = LintOptions::default();
    let runs = 50;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(lint(&df, &opts));
    }
    let per_run = start.elapsed() / runs;
    eprintln!("lint of a {}-line Dockerfile: {per_run:?}", src.lines().count());
    // Debug builds are ~10x slower than release; the budget holds for both.
    assert!(per_run < std::time::Duration::from_millis(5), "lint took {per_run:?}");
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = include_str!("../../README.md");
    for r in rules() {
        let scope = match r.scope {
            Scope::AllStages => "all stages",
            Scope::FinalStage => "final stage",
        };
        let row = format!("| {} | {} | {} | {scope} |", r.id, r.name, r.severity);
        assert!(readme.contains(&row), "README.md lacks the row {row:?}");
    }
}

#[test]
fn every_rule_id_constant_is_registered_in_order() {
    let registered: Vec<&str> = crate::lint::rules().iter().map(|r| r.id).collect();
    let ids: Vec<&str> = crate::lint::ids::ALL.iter().map(|i| i.as_str()).collect();
    assert_eq!(registered, ids);
}
