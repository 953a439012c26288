//! The parser's one integration-test binary.
//!
//! - `fixtures/parse/NAME.Dockerfile` must parse to exactly `NAME.json` (the serde form of
//!   `Dockerfile`). Run with `BLESS=1` to (re)write the expected files, then review the diff.
//! - `fixtures/errors/NAME.Dockerfile` must fail with exactly the text in `NAME.err`.
//! - A property test mutates the fixtures at random and checks that `parse` never panics, that
//!   every line range of an accepted file lies inside it, and that `lint` and the renderers cope
//!   with it (`DOCKERFILE_FUZZ_ITERS` sets how many; 3000 by default).

use std::fs;
use std::path::{Path, PathBuf};

use dockerfile::lint::{lint, render, LintOptions};
use dockerfile::{parse, Dockerfile, Instruction};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", root.display());
    files
}

fn blessing() -> bool {
    std::env::var_os("BLESS").is_some()
}

/// Compares `actual` with the file at `expected_path`, or writes it when blessing.
fn check_expected(expected_path: &Path, actual: &str, failures: &mut Vec<String>) {
    if blessing() {
        fs::write(expected_path, actual).expect("writing expected file");
        return;
    }
    match fs::read_to_string(expected_path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{}: output differs\n--- expected\n{expected}\n--- actual\n{actual}",
            expected_path.display()
        )),
        Err(_) => failures.push(format!("{}: missing (run with BLESS=1 to create it)", expected_path.display())),
    }
}

#[test]
fn parse_fixtures_match_expected_json() {
    let mut failures = Vec::new();
    for path in fixtures("parse") {
        let src = fs::read_to_string(&path).expect("reading fixture");
        match parse(&src) {
            Ok(df) => {
                if let Err(e) = check_invariants(&src, &df) {
                    failures.push(format!("{}: {e}", path.display()));
                }
                let json = serde_json::to_string_pretty(&df).expect("serialising") + "\n";
                check_expected(&path.with_extension("json"), &json, &mut failures);
            }
            Err(e) => failures.push(format!("{}: unexpected error: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn error_fixtures_fail_with_expected_message() {
    let mut failures = Vec::new();
    for path in fixtures("errors") {
        let src = fs::read_to_string(&path).expect("reading fixture");
        match parse(&src) {
            Ok(_) => failures.push(format!("{}: parsed, but should fail", path.display())),
            Err(e) => check_expected(&path.with_extension("err"), &format!("{e}\n"), &mut failures),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Number of physical lines, as the parser counts them.
fn line_count(src: &str) -> usize {
    let n = src.split('\n').count();
    if src.ends_with('\n') || src.is_empty() {
        n - 1
    } else {
        n
    }
}

/// Every line range lies in the file, starts before it ends, and instructions do not overlap.
fn check_invariants(src: &str, df: &Dockerfile) -> Result<(), String> {
    let lines = line_count(src);
    let mut previous_end = 0;
    let check = |i: &Instruction, previous_end: usize| -> Result<(), String> {
        let s = i.lines;
        if s.start == 0 || s.start > s.end || s.end > lines {
            return Err(format!("{} has lines {s:?} in a {lines}-line file", i.keyword));
        }
        if s.start <= previous_end {
            return Err(format!("{} at {s:?} overlaps the previous instruction", i.keyword));
        }
        if let Some(inner) = &i.onbuild {
            if inner.lines != s {
                return Err("ONBUILD trigger has different lines".into());
            }
        }
        Ok(())
    };
    for i in df.instructions() {
        check(i, previous_end)?;
        previous_end = i.lines.end;
    }
    for d in &df.directives {
        if d.line == 0 || d.line > lines {
            return Err(format!("directive {} on line {} of {lines}", d.name, d.line));
        }
    }
    if df.stages.is_empty() {
        return Err("no stages".into());
    }
    for (n, s) in df.stages.iter().enumerate() {
        if s.index != n || s.instructions.first().is_none_or(|i| i.keyword != "FROM") {
            return Err(format!("stage {n} is malformed"));
        }
        if s.base_stage.is_some_and(|b| b >= n) {
            return Err(format!("stage {n} builds on a later stage"));
        }
    }
    Ok(())
}

#[test]
fn instruction_text_is_buildkit_progress_name() {
    let df = parse(
        "FROM alpine:3.20\nrun --mount=type=cache,target=/x \\\n  apk add curl\nRUN <<EOF\n  set -e\n  echo hi\nEOF\nRUN <<EOF bash\necho\nEOF\n",
    )
    .unwrap();
    let texts: Vec<String> = df.stages[0].instructions.iter().map(|i| i.text()).collect();
    assert_eq!(
        texts,
        [
            "FROM alpine:3.20",
            "RUN --mount=type=cache,target=/x   apk add curl",
            "RUN <<EOF (set -e...)",
            "RUN <<EOF bash",
        ]
    );
}

#[test]
fn api_accessors() {
    let src =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parse/stage_names.Dockerfile"))
            .unwrap();
    let df = parse(&src).unwrap();
    assert_eq!(df.stage("DEPS").unwrap().index, 0);
    assert_eq!(df.stage("2").unwrap().name.as_deref(), Some("test.unit_1-x"));
    assert!(df.stage("9").is_none());
    assert_eq!(df.final_stage().unwrap().base_stage, Some(1));
    let copy = &df.final_stage().unwrap().instructions[1];
    assert_eq!(copy.flag("from"), Some("deps"));
    assert_eq!(copy.flags_named("from").count(), 1);
    assert_eq!(copy.arg_list(), ["/a", "/a"]);
    let (stage, ins) = df.instruction_at(7).unwrap();
    assert_eq!(stage.unwrap().index, 4);
    assert_eq!(ins.keyword, "COPY");
    let err = parse("FROM\n").unwrap_err();
    assert_eq!(err.to_string(), format!("line {}: {}", err.line, err.message));
    let _: &dyn std::error::Error = &err;
}

#[test]
fn stages_used_follow_from_copy_from_and_mount_from() {
    let df = parse(concat!(
        "FROM golang:1 AS deps\n",
        "FROM deps AS build\n",
        "RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=tools,target=/t true\n",
        "FROM debian:trixie-slim AS tools\n",
        "FROM alpine:3 AS decoy\n",
        "COPY --from=build /a /a\n",
        "FROM scratch\n",
        "COPY --from=1 /a /a\n",
        "COPY --from=busybox:1 /bin/sh /sh\n",
        "COPY --from=${NOPE} /b /b\n",
    ))
    .unwrap();
    assert_eq!(df.stages_used_by(&df.stages[1]), [0, 2]);
    assert_eq!(df.stages_used_by(&df.stages[4]), [1]);
    let needed = df.stages_needed(&[4]);
    assert_eq!(needed, [true, true, true, false, true]);
    assert_eq!(df.stages_needed(&[4, 3]), [true; 5]);
    assert_eq!(df.stages_needed(&[]), [false; 5]);
}

/// A tiny deterministic PRNG (xorshift64*), so the property test needs no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that exercise the parser's tricky paths.
const TOKENS: &[&str] = &[
    "\\\n",
    "\\",
    "`",
    "`\n",
    "\n",
    "\r\n",
    "\r",
    "#",
    "# escape=`\n",
    "# syntax=x\n",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "<<\"EOF\"",
    "\nEOF\n",
    "\tEOF\n",
    "EOF",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\"]",
    "[1]",
    "--",
    "--from=",
    "--mount=type=cache,target=/x ",
    "=",
    "${",
    "}",
    "$",
    "\t",
    " ",
    "\u{feff}",
    "é",
    "日本",
    "\u{a0}",
    "\u{85}",
    "FROM ",
    "FROM x AS ",
    "RUN ",
    "COPY ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "CMD ",
    "ARG ",
    " AS ",
    "scratch",
    "\n\n",
    "\\ \t\n",
    "2<<X",
    "\nX\n",
];

fn mutate(rng: &mut Rng, corpus: &[String]) -> String {
    let base = &corpus[rng.below(corpus.len())];
    let mut chars: Vec<char> = base.chars().collect();
    for _ in 0..=rng.below(6) {
        let at = rng.below(chars.len() + 1);
        match rng.below(6) {
            0 | 1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                chars.splice(at..at, t.chars());
            }
            2 => {
                let end = (at + rng.below(20)).min(chars.len());
                chars.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(40)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, copy);
            }
            4 => {
                let other: Vec<char> = corpus[rng.below(corpus.len())].chars().collect();
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(80)).min(other.len());
                chars.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                chars.insert(at, c);
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn random_mutations_never_panic_and_keep_spans_in_the_file() {
    let iterations: usize = std::env::var("DOCKERFILE_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let mut corpus: Vec<String> = fixtures("parse")
        .iter()
        .chain(fixtures("errors").iter())
        .map(|p| fs::read_to_string(p).expect("reading fixture"))
        .collect();
    corpus.push(String::new());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in 0..iterations {
        let input = mutate(&mut rng, &corpus);
        if let Ok(df) = parse(&input) {
            if let Err(e) = check_invariants(&input, &df) {
                panic!("iteration {n}: {e}\ninput: {input:?}");
            }
            // The lint and its renderers must cope with whatever the parser accepts.
            let findings = lint(&df, &LintOptions::default());
            for f in &findings {
                assert!(
                    df.instruction_at(f.line).is_some(),
                    "iteration {n}: {f:?} points at no instruction\ninput: {input:?}"
                );
            }
            let _ = render::sarif(&findings, "Dockerfile");
            let _ = render::json(&df, &findings, "Dockerfile");
        }
    }
}
