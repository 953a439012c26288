//! The exercise spec: `exercises/<id>/exercise.toml`, format version 1.
//!
//! Every field is documented here, because this file is the format's reference (the book's
//! rubric pages are rendered from specs loaded through this module). Unknown keys are an error
//! that names the file and the key; validation happens in one place, [`Spec::validate`].

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// The only format version this grader reads.
pub const FORMAT_VERSION: u32 = 1;

/// The spec file's name inside an exercise folder.
pub const SPEC_FILE: &str = "exercise.toml";

/// Where an exercise keeps pristine copies of the files the learner edits (the starter
/// Dockerfile, its .dockerignore): `grader reset` restores them, `max_ratio` builds them.
pub const PRISTINE_DIR: &str = ".grader/starter";

/// A whole exercise spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Must be 1. Bumped when a change would make older graders misread the file.
    pub format_version: u32,
    /// One line shown by `grader list` and as the book page's heading.
    pub title: String,
    /// The language of the exercise's app (go, python, node, rust, ...), for listings.
    pub language: String,
    /// The book page that teaches this exercise, relative to `book/src/` (e.g. `exercises/ex1.md`).
    pub book: String,
    /// The exercise-wide hint ladder, vaguest first. `grader hint <id>` prints them in order.
    #[serde(default)]
    pub hints: Vec<String>,
    /// How to build the learner's image.
    #[serde(default)]
    pub build: BuildSpec,
    /// What the untouched starter is expected to do; `grader verify` holds the starter to it.
    pub starter: StarterSpec,
    /// The checks, in the order the report lists them. Deserialized by hand (see [`CheckSpec`]).
    #[serde(rename = "check", deserialize_with = "deserialize_checks")]
    pub checks: Vec<CheckSpec>,
}

/// How the grader builds the image it grades.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSpec {
    /// The Dockerfile's path inside the exercise folder. Default `Dockerfile`.
    #[serde(default = "default_dockerfile")]
    pub dockerfile: String,
    /// The stage to build (`--target`); default: the last stage.
    #[serde(default)]
    pub target: Option<String>,
    /// Build arguments (`--build-arg`).
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// How long one build may take, in seconds, before the grader cancels it in the engine and
    /// fails it (`grader check --timeout` overrides it). Default 900, at most 7200.
    #[serde(default = "default_build_timeout")]
    pub timeout_s: u64,
}

impl Default for BuildSpec {
    fn default() -> BuildSpec {
        BuildSpec {
            dockerfile: default_dockerfile(),
            target: None,
            args: BTreeMap::new(),
            timeout_s: DEFAULT_BUILD_TIMEOUT_S,
        }
    }
}

/// The default of `build.timeout_s`.
pub const DEFAULT_BUILD_TIMEOUT_S: u64 = 900;

fn default_build_timeout() -> u64 {
    DEFAULT_BUILD_TIMEOUT_S
}

fn default_dockerfile() -> String {
    "Dockerfile".to_string()
}

/// The starter's expected verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StarterSpec {
    /// Ids of the checks the untouched starter fails. `grader verify` requires the starter to fail
    /// exactly these and pass the others, so the lesson each check teaches is really exercised.
    pub fails: Vec<String>,
}

/// One check: the keys every check has, plus its kind's own settings.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSpec {
    /// Unique within the spec; what `starter.fails` and reports name. Defaults to the kind.
    pub id: String,
    /// Points awarded when the check passes.
    pub points: u32,
    /// The check's own hint ladder, vaguest first; the report shows the first, `grader hint`
    /// shows them all.
    pub hints: Vec<String>,
    /// The book section that teaches what the check measures, relative to `book/src/`
    /// (e.g. `caching.md#dependencies-first`). Defaults to the exercise's page.
    pub book: Option<String>,
    /// What the check measures and its targets.
    #[serde(flatten)]
    pub kind: CheckKind,
}

/// Every check kind, declared once: its variant of [`CheckKind`], its settings type (below in
/// this file) and its name as written in `kind = "..."`. A kind the grader measures with a
/// probe of its own (a build, a run) is marked `[probe]`.
///
/// The macro hands the list to `$callback`, so the grader derives its dispatch from the same
/// list (`grader/src/checks/mod.rs`, `grader/src/gather/mod.rs`). Adding a kind is one line here
/// plus its own files: its settings struct here, `grader/src/checks/<name>.rs` (the judge) and,
/// for a `[probe]` kind, `grader/src/gather/<name>.rs`.
#[macro_export]
macro_rules! for_each_check_kind {
    ($callback:ident) => {
        $callback! {
            Size(SizeCheck) size [probe],
            Stages(StagesCheck) stages,
            User(UserCheck) user,
            Cache(CacheCheck) cache [probe],
            Absent(PathsCheck) absent,
            Present(PathsCheck) present,
            Smoke(SmokeCheck) smoke [probe],
            Context(ContextCheck) context,
            Target(TargetCheck) target [probe],
            Stop(StopCheck) stop [probe],
            Lint(LintCheck) lint,
            Targets(TargetsCheck) targets [probe],
        }
    };
}

macro_rules! declare_check_kinds {
    ($($variant:ident($settings:ident) $name:ident $([$probe:ident])?,)*) => {
        /// The kinds of check, with their settings. See the book's `reference/checks.md` for
        /// their semantics.
        #[derive(Debug, Clone, Serialize)]
        #[serde(tag = "kind", rename_all = "lowercase")]
        pub enum CheckKind {
            $($variant($settings),)*
        }

        impl CheckKind {
            /// The kind's name as written in `kind = "..."`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(CheckKind::$variant(_) => stringify!($name),)*
                }
            }

            /// Reads a kind's own settings (the table without the common keys).
            fn parse(kind: &str, settings: toml::Value) -> Option<Result<CheckKind, toml::de::Error>> {
                match kind {
                    $(stringify!($name) => Some($settings::deserialize(settings).map(CheckKind::$variant)),)*
                    _ => None,
                }
            }
        }

        /// Every check kind, as written in `kind = "..."`.
        pub const KINDS: &[&str] = &[$(stringify!($name)),*];
    };
}

for_each_check_kind!(declare_check_kinds);

/// `kind = "size"`: the final image's size against a budget (at least one of the two).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeCheck {
    /// The budget in decimal megabytes (1 MB = 1,000,000 bytes, as `docker images` prints),
    /// measured as the uncompressed content of the image's layers.
    #[serde(default)]
    pub max_mb: Option<f64>,
    /// The budget as a fraction of the pristine starter's image (e.g. 0.5: at least 50%
    /// smaller), which the grader builds from `.grader/starter/` overlaid on a copy of the folder.
    #[serde(default)]
    pub max_ratio: Option<f64>,
}

/// `kind = "stages"`: the Dockerfile's stage structure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StagesCheck {
    /// At least this many `FROM` instructions.
    pub min: usize,
    /// If set, the final stage's base image must match one of these patterns (`*` is a
    /// wildcard, e.g. `gcr.io/distroless/static-debian13*`), after build-argument defaults are
    /// substituted. `scratch` is written as `scratch`.
    #[serde(default)]
    pub final_base: Vec<String>,
}

/// `kind = "user"`: the final image does not run as root.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCheck {
    /// Also require a numeric UID (`USER 10001:10001`), which needs no /etc/passwd lookup and
    /// satisfies Kubernetes' `runAsNonRoot`.
    #[serde(default)]
    pub numeric: bool,
}

/// `kind = "cache"`: the dependency step is cached on a source edit and rebuilt on a manifest edit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheCheck {
    /// The command of the dependency step, as shell words: the first RUN (in Dockerfile order)
    /// with a command whose program is the first word and whose arguments include the others
    /// (`go mod download`; `pip requirements.txt` for any pip command reading it; a lone
    /// program, `npm`, must install dependencies: `npm ci`, `npm install`). Each command of a
    /// `&&`/`||`/`;` chain counts, `sh -c '...'` bodies are read, and `echo go mod download`
    /// runs `echo`. See `dockerfile::lint::shell::runs_step`.
    pub step: String,
    /// A source file (relative to the exercise folder) the probe edits harmlessly; the step must
    /// still come from the cache.
    pub source: String,
    /// The dependency manifest (e.g. `go.mod`) the probe edits; the step must then rebuild.
    pub manifest: String,
}

/// `kind = "absent"` / `kind = "present"`: paths in the final image's filesystem.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathsCheck {
    /// Glob patterns on absolute paths: `*` and `?` stay within one path component, `**`
    /// spans any number of them (e.g. `/usr/local/go/**`, `**/*.go`).
    pub paths: Vec<String>,
    /// What the paths are, for the report (e.g. "the Go toolchain or Go sources").
    pub what: String,
    /// `[check.copies_of]`, `absent` only: programs found by their content, wherever they are
    /// copied to and whatever they are renamed (`make` copied as `/usr/local/bin/gmake`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies_of: Option<CopiesOf>,
}

/// Files whose copies must not be in the final image: a final-image file of the same size and
/// SHA-256 as one of `paths` in `image` fails the check. Only the named files are read from
/// `image` (a container is created from it, never started); the final image's files are
/// compared as its export streams, and only those of a size one of the originals has are hashed.
/// A changed byte makes another file: this finds copies, not edited programs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopiesOf {
    /// The image the originals are read from, e.g. the build stage's base `python:3.13-trixie`
    /// (the grader provisions it as it provisions base images).
    pub image: String,
    /// Absolute paths in `image` of regular files or links to them (followed), e.g.
    /// `/usr/bin/make`. A path the image lacks is said in the report, not compared.
    pub paths: Vec<String>,
}

/// The most files `copies_of` reads, and the largest: programs, not toolchains.
pub const COPIES_OF_MAX_PATHS: usize = 64;
pub const COPIES_OF_MAX_BYTES: u64 = 64 << 20;

/// The limits of every container the grader runs, unless a `smoke` check sets its own: how long
/// it may take to answer (s), its memory (MB) and its process count.
pub const DEFAULT_TIMEOUT_S: u64 = 20;
pub const DEFAULT_MEMORY_MB: u64 = 256;
pub const DEFAULT_PIDS: i64 = 128;

/// `kind = "smoke"`: the image starts under limits and answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeCheck {
    /// The container port to probe over HTTP. Without it, the check runs the container to
    /// completion and judges its exit code and output.
    #[serde(default)]
    pub port: Option<u16>,
    /// The HTTP path to request. Default `/`.
    #[serde(default = "default_path")]
    pub path: String,
    /// The expected HTTP status (or, without `port`, the expected exit code). Default 200 / 0.
    #[serde(default)]
    pub status: Option<u16>,
    /// Text the response body (or the command's output) must contain.
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Arguments that replace the image's CMD for this run (e.g. `["--version"]`).
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    /// Environment variables for the container. `{nonce}` in a value is replaced with the
    /// run's nonce (see `identity`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// A second request, made once the app has given the answer above, that only the
    /// exercise's app answers right: a static file server or a stub that answers `ok` cannot.
    #[serde(default)]
    pub identity: Option<IdentityRequest>,
    /// How long the container may take to answer, in seconds. Default 20.
    #[serde(default = "default_timeout")]
    pub timeout_s: u64,
    /// Memory limit in MB. Default 256.
    #[serde(default = "default_memory")]
    pub memory_mb: u64,
    /// Process limit. Default 128.
    #[serde(default = "default_pids")]
    pub pids: i64,
    /// Leave the container's root filesystem writable. By default it is read-only, with a
    /// 64 MB tmpfs on /tmp; set this for an app that must write elsewhere.
    #[serde(default)]
    pub writable_root: bool,
}

/// The placeholder the grader replaces with a number it picks at random for each run (12
/// decimal digits, the first not 0), in `identity` and in a smoke check's `env` values.
pub const NONCE: &str = "{nonce}";

/// `[check.identity]` of a smoke (or targets) check: a request whose answer depends on a value
/// the grader picks at random per run, so only the running app can give it. `{nonce}` in
/// `path`, `body` and `body_contains` is that value; `body_contains` must hold it, or, with a
/// follow-up request (`then`), the request must send it and the follow-up's `body_contains`
/// must hold it (the app must have kept what it was sent).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityRequest {
    /// The HTTP method. Default `GET`.
    #[serde(default = "default_method")]
    pub method: String,
    /// The path with its query, e.g. `/hello?name={nonce}`.
    pub path: String,
    /// A request body (for `POST`, `PUT`), e.g. `{"total": "{nonce}", "people": 1}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body's Content-Type. Default `application/json`.
    #[serde(default = "default_content_type")]
    pub content_type: String,
    /// The expected HTTP status. Default 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Text the answer's body must contain, with `{nonce}` in it (unless `then` asks for it).
    pub body_contains: String,
    /// `[check.identity.sign]`: sign the body as the app's clients do, with a key the check's
    /// `env` gives the container (an app that refuses unsigned requests still answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<Signature>,
    /// `[check.identity.then]`: a follow-up request, sent once this one got its answer, whose
    /// answer must hold `{nonce}` (e.g. `GET /events` lists the event just posted). Its keys are
    /// this table's; it may not have a follow-up of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Box<IdentityRequest>>,
}

/// How the grader signs an identity request's body: the header `header` carries `prefix`
/// followed by the lowercase hex of the body's HMAC-SHA256 under the value of the environment
/// variable `key_env` (which the check's `env` must set, `{nonce}` replaced). ex7's app checks
/// `X-Signature: sha256=<hex>` under `WEBHOOK_SECRET`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// The MAC: only `hmac-sha256`.
    pub algorithm: SignAlgorithm,
    /// The header that carries it, e.g. `X-Signature`.
    pub header: String,
    /// Text before the hex digits, e.g. `sha256=`. Default none.
    #[serde(default)]
    pub prefix: String,
    /// The check's `env` variable whose value is the key, e.g. `WEBHOOK_SECRET`.
    pub key_env: String,
    /// When set, the same request is first sent signed with another key, and the app must
    /// refuse it with this status (e.g. 401): a program that accepts any signature is not the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forged_status: Option<u16>,
}

/// The MACs the grader can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignAlgorithm {
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
}

impl IdentityRequest {
    /// A copy with `{nonce}` replaced by `nonce` (in the follow-up too).
    pub fn with_nonce(&self, nonce: &str) -> IdentityRequest {
        IdentityRequest {
            method: self.method.clone(),
            path: self.path.replace(NONCE, nonce),
            body: self.body.as_ref().map(|b| b.replace(NONCE, nonce)),
            content_type: self.content_type.clone(),
            status: self.status,
            body_contains: self.body_contains.replace(NONCE, nonce),
            sign: self.sign.clone(),
            then: self.then.as_ref().map(|t| Box::new(t.with_nonce(nonce))),
        }
    }

    /// What the spec may not say: a request line the grader cannot send, a signing key the
    /// check's `env` does not give, or an answer that does not depend on the nonce.
    fn validate(&self, env: &BTreeMap<String, String>, key: &dyn Fn(&str) -> String) -> Result<()> {
        self.validate_request("identity", env, key)?;
        let Some(then) = &self.then else {
            if !self.body_contains.contains(NONCE) {
                bail!(
                    "{}: {:?} must contain {NONCE}, so that a server that does not run the app cannot give the answer",
                    key("identity.body_contains"),
                    self.body_contains
                );
            }
            return Ok(());
        };
        then.validate_request("identity.then", env, key)?;
        if then.then.is_some() {
            bail!("{}: one follow-up request at most", key("identity.then.then"));
        }
        let sent = self.path.contains(NONCE) || self.body.as_deref().is_some_and(|b| b.contains(NONCE));
        if !sent {
            bail!(
                "{}: the request must send {NONCE} (in `path` or `body`), so that the follow-up's answer can only hold it if the app kept it",
                key("identity")
            );
        }
        if !then.body_contains.contains(NONCE) {
            bail!(
                "{}: {:?} must contain {NONCE}, so that a server that does not run the app cannot give the answer",
                key("identity.then.body_contains"),
                then.body_contains
            );
        }
        Ok(())
    }

    /// The request line, content type and signature of one request (`at` names its table).
    fn validate_request(&self, at: &str, env: &BTreeMap<String, String>, key: &dyn Fn(&str) -> String) -> Result<()> {
        if self.method.is_empty() || !self.method.bytes().all(|b| b.is_ascii_uppercase()) {
            bail!("{}: `{}` is not an HTTP method (GET, POST, PUT, ...)", key(&format!("{at}.method")), self.method);
        }
        if !self.path.starts_with('/') || self.path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            bail!(
                "{}: {:?} must start with / and hold no spaces or control characters",
                key(&format!("{at}.path")),
                self.path
            );
        }
        if self.content_type.chars().any(|c| c.is_control()) {
            bail!("{}: control characters are not allowed", key(&format!("{at}.content_type")));
        }
        if let Some(sign) = &self.sign {
            let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !token(&sign.header) {
                bail!(
                    "{}: {:?} is not a header name (letters, digits and `-`, e.g. `X-Signature`)",
                    key(&format!("{at}.sign.header")),
                    sign.header
                );
            }
            if sign.prefix.chars().any(|c| c.is_control()) {
                bail!("{}: control characters are not allowed", key(&format!("{at}.sign.prefix")));
            }
            if !env.contains_key(&sign.key_env) {
                bail!(
                    "{}: `{}` is not set by the check's `env`: the key must be one the grader gives the container \
                     (add `{} = \"...\"` to `env`)",
                    key(&format!("{at}.sign.key_env")),
                    sign.key_env,
                    sign.key_env
                );
            }
        }
        Ok(())
    }
}

fn default_method() -> String {
    "GET".to_string()
}
fn default_content_type() -> String {
    "application/json".to_string()
}

/// `kind = "context"`: what the build context holds after `.dockerignore`, and whether a secret
/// reached the image.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextCheck {
    /// The context's content size limit, decimal MB.
    #[serde(default)]
    pub max_mb: Option<f64>,
    /// Patterns (`.dockerignore` syntax, relative to the exercise folder) that must not be sent.
    #[serde(default)]
    pub forbid: Vec<String>,
    /// Paths the folder's ignore file must exclude whether or not they exist (e.g. `.git/HEAD`,
    /// which a workbook cannot ship but a learner's real project has).
    #[serde(default)]
    pub must_ignore: Vec<String>,
    /// A string taken from a secret the folder holds, searched in every encoding the grader
    /// knows (plain, base64, hex, dumps, compressed, archived) where `canary_in` says.
    #[serde(default)]
    pub canary: Option<String>,
    /// Where `canary` must not be: `image` (any file of any layer of the final image, a layer
    /// whose file a later step deleted included, and the image config) and/or `context` (any
    /// file the build context sends, whatever its name: a secret renamed past the `forbid`
    /// patterns is still sent). Default `["image"]`. The Dockerfile and its ignore file are not
    /// searched in the context: the engine must read them, and what a Dockerfile writes into
    /// the image is found by `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_in: Option<Vec<CanaryPlace>>,
}

/// Where a context check searches its canary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CanaryPlace {
    Image,
    Context,
}

impl ContextCheck {
    /// The canary to search in `place`, if this check has one there.
    pub fn canary_for(&self, place: CanaryPlace) -> Option<&str> {
        let places = self.canary_in.as_deref().unwrap_or(&[CanaryPlace::Image]);
        self.canary.as_deref().filter(|_| places.contains(&place))
    }
}

/// `kind = "target"`: a named stage that runs the tests really does. The grader builds it as it
/// is, with a new passing test (must succeed) and with a new failing test (must fail); the
/// planted tests get fresh names and values on every run, so nothing a learner can read names
/// them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetCheck {
    /// The stage to build with `--target`.
    pub target: String,
    /// The folder (relative to the exercise folder) the planted tests go to, in a copy of the
    /// context.
    pub plant_dir: String,
    /// How the planted tests are written: `pytest` (`test_*.py`) or `node` (`*.test.js`, for
    /// `node --test`).
    pub tests: TestStyle,
}

/// The test framework planted tests are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStyle {
    Pytest,
    Node,
}

/// `kind = "stop"`: the container stops promptly on SIGTERM (PID 1 handles signals).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopCheck {
    /// Seconds the container may take to exit after SIGTERM.
    pub within_s: u64,
    /// A port to wait on before signalling (the app is up when it answers); without it the
    /// grader waits 2 s.
    #[serde(default)]
    pub port: Option<u16>,
    /// The path of that readiness request. Default `/`.
    #[serde(default = "default_path")]
    pub path: String,
}

/// `kind = "lint"`: lint rules that must report nothing on the Dockerfile.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintCheck {
    /// Rule ids (`GR001`, ...); `grader explain <id>` describes each.
    pub rules: Vec<String>,
}

/// `kind = "targets"`: several runtime stages of one Dockerfile, compared.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsCheck {
    /// The stages to build with `--target`; each must start and answer.
    pub targets: Vec<String>,
    /// The budget for the smallest of them, decimal MB.
    pub max_mb: f64,
    /// The HTTP port each image is probed on.
    pub port: u16,
    /// The HTTP path to request. Default `/`.
    #[serde(default = "default_path")]
    pub path: String,
    /// The expected HTTP status. Default 200.
    #[serde(default)]
    pub status: Option<u16>,
    /// A request each target must also answer as the app does (see [`SmokeCheck::identity`]).
    #[serde(default)]
    pub identity: Option<IdentityRequest>,
    /// Environment variables every target is started with; they override the image's own
    /// `ENV` (e.g. the full list of zones, so an image cannot shorten it to hide missing files).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// What each target's stage must start from, by target: image patterns with `*` wildcards,
    /// as `stages.final_base` (`scratch` for an empty base). A target left out may start from
    /// anything. The shoot-out compares bases, so a target named `debian` built on scratch is
    /// no answer to it.
    #[serde(default)]
    pub bases: BTreeMap<String, Vec<String>>,
}

impl TargetsCheck {
    /// The smoke probe every target gets: an HTTP request under the default limits.
    pub fn smoke(&self) -> SmokeCheck {
        SmokeCheck {
            port: Some(self.port),
            path: self.path.clone(),
            status: self.status,
            body_contains: None,
            cmd: None,
            env: self.env.clone(),
            identity: self.identity.clone(),
            timeout_s: DEFAULT_TIMEOUT_S,
            memory_mb: DEFAULT_MEMORY_MB,
            pids: DEFAULT_PIDS,
            writable_root: false,
        }
    }
}

fn default_path() -> String {
    "/".to_string()
}
fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_S
}
fn default_memory() -> u64 {
    DEFAULT_MEMORY_MB
}
fn default_pids() -> i64 {
    DEFAULT_PIDS
}

fn deserialize_checks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<CheckSpec>, D::Error> {
    use serde::de::Error;
    let tables = Vec::<toml::Table>::deserialize(d)?;
    tables
        .into_iter()
        .enumerate()
        .map(|(n, t)| check_from_table(t).map_err(|e| D::Error::custom(format!("[[check]] #{}: {e}", n + 1))))
        .collect()
}

/// The most points one check may carry (so every total fits a `u32`).
pub const MAX_POINTS: u32 = 1_000_000;

/// Splits a `[[check]]` table into the common keys and the kind's own settings, so unknown keys
/// are rejected with their name whatever the kind.
fn check_from_table(mut t: toml::Table) -> Result<CheckSpec, String> {
    let kind = match t.remove("kind") {
        Some(toml::Value::String(k)) => k,
        Some(_) => return Err("`kind` must be a string".into()),
        None => return Err("missing key `kind`".into()),
    };
    let id = match t.remove("id") {
        Some(toml::Value::String(s)) => s,
        Some(_) => return Err("`id` must be a string".into()),
        None => kind.clone(),
    };
    let ctx = |e: toml::de::Error| format!("check `{id}`: {}", e.message());
    let points = match t.remove("points") {
        Some(toml::Value::Integer(p)) if (0..=i64::from(MAX_POINTS)).contains(&p) => p as u32,
        Some(_) => return Err(format!("check `{id}`: `points` must be an integer from 0 to {MAX_POINTS}")),
        None => return Err(format!("check `{id}`: missing key `points`")),
    };
    let hints = match t.remove("hints") {
        Some(v) => Vec::<String>::deserialize(v).map_err(ctx)?,
        None => Vec::new(),
    };
    let book = match t.remove("book") {
        Some(v) => Some(String::deserialize(v).map_err(ctx)?),
        None => None,
    };
    let rest = toml::Value::Table(t);
    let kind = match CheckKind::parse(&kind, rest) {
        Some(parsed) => parsed.map_err(ctx)?,
        None => return Err(format!("check `{id}`: unknown kind `{kind}` (known: {})", KINDS.join(", "))),
    };
    Ok(CheckSpec { id, points, hints, book, kind })
}

/// A path from the spec must be relative and stay inside the exercise folder once `.` and `..`
/// are resolved: the grader edits and plants files there, and reads the Dockerfile.
fn inside_exercise(key: &str, path: &str) -> Result<()> {
    use std::path::Component;
    let mut depth = 0usize;
    for part in Path::new(path).components() {
        match part {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => bail!("{key} = {path:?} leads outside the exercise folder: give a path relative to it, without `..`"),
        }
    }
    if depth == 0 {
        bail!("{key} = {path:?} names no file inside the exercise folder");
    }
    Ok(())
}

/// A limit from the spec must lie within what the grader can honour.
fn in_range(key: &str, value: u64, min: u64, max: u64) -> Result<()> {
    if !(min..=max).contains(&value) {
        bail!("{key} = {value} is out of range: it must be from {min} to {max}");
    }
    Ok(())
}

impl Spec {
    /// Reads and validates `<dir>/exercise.toml`.
    pub fn load(exercise_dir: &Path) -> Result<Spec> {
        let path = exercise_dir.join(SPEC_FILE);
        // Only a regular file inside the exercise, of a sane size: a spec linked to a host file
        // must not be read (its lines would show in the error), one linked to a FIFO or
        // /dev/zero would never end.
        let real = path.canonicalize().with_context(|| format!("reading {}", path.display()))?;
        let root = exercise_dir.canonicalize().with_context(|| format!("reading {}", exercise_dir.display()))?;
        let meta = real.metadata().with_context(|| format!("reading {}", path.display()))?;
        if !real.starts_with(&root) || !meta.is_file() || meta.len() > 1 << 20 {
            bail!(
                "{} must be a regular file of at most 1 MiB inside the exercise folder (not a link out of it, \
                 a pipe or a device)",
                path.display()
            );
        }
        let text = std::fs::read_to_string(&real).with_context(|| format!("reading {}", path.display()))?;
        Spec::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses and validates a spec's text.
    pub fn parse(text: &str) -> Result<Spec> {
        let spec: Spec = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))?;
        spec.validate()?;
        Ok(spec)
    }

    /// Everything serde cannot say: versions, unique ids, references between fields.
    pub fn validate(&self) -> Result<()> {
        if self.format_version != FORMAT_VERSION {
            bail!(
                "format_version {} is not supported (this grader reads version {FORMAT_VERSION}); update the grader",
                self.format_version
            );
        }
        if self.checks.is_empty() {
            bail!("the spec has no [[check]] tables");
        }
        inside_exercise("build.dockerfile", &self.build.dockerfile)?;
        in_range("build.timeout_s", self.build.timeout_s, 1, 7200)?;
        if self.checks.len() > 1000 {
            bail!("the spec has {} checks; at most 1000", self.checks.len());
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.checks {
            if !seen.insert(c.id.as_str()) {
                bail!("two checks have the id `{}`: give one of them a distinct `id`", c.id);
            }
            let key = |k: &str| format!("check `{}`: {k}", c.id);
            match &c.kind {
                CheckKind::Cache(x) => {
                    inside_exercise(&key("source"), &x.source)?;
                    inside_exercise(&key("manifest"), &x.manifest)?;
                }
                CheckKind::Target(x) => inside_exercise(&key("plant_dir"), &x.plant_dir)?,
                CheckKind::Smoke(x) => {
                    if let Some(i) = &x.identity {
                        if x.port.is_none() {
                            bail!("{}: an identity request needs `port`", key("identity"));
                        }
                        i.validate(&x.env, &key)?;
                    }
                    in_range(&key("timeout_s"), x.timeout_s, 1, 600)?;
                    in_range(&key("memory_mb"), x.memory_mb, 6, 16_384)?;
                    in_range(&key("pids"), u64::try_from(x.pids).unwrap_or(0), 1, 4096)?;
                }
                CheckKind::Stop(x) => in_range(&key("within_s"), x.within_s, 1, 600)?,
                CheckKind::Size(s) if s.max_mb.is_none() && s.max_ratio.is_none() => {
                    bail!("check `{}`: set max_mb, max_ratio or both", c.id)
                }
                CheckKind::Size(s) if s.max_mb.is_some_and(|m| m.is_nan() || m <= 0.0) => {
                    bail!("check `{}`: max_mb must be positive", c.id)
                }
                CheckKind::Size(s) if s.max_ratio.is_some_and(|r| r.is_nan() || r <= 0.0 || r > 1.0) => {
                    bail!("check `{}`: max_ratio must be in (0, 1]", c.id)
                }
                CheckKind::Lint(l) if l.rules.is_empty() => bail!("check `{}`: rules is empty", c.id),
                CheckKind::Lint(l) => {
                    if let Some(bad) = l.rules.iter().find(|r| dockerfile::lint::rule(r).is_none()) {
                        bail!("check `{}`: there is no lint rule `{bad}` (`grader explain` lists them)", c.id);
                    }
                }
                CheckKind::Targets(t) if t.targets.is_empty() => bail!("check `{}`: targets is empty", c.id),
                CheckKind::Targets(t) => {
                    if let Some(i) = &t.identity {
                        i.validate(&t.env, &key)?;
                    }
                }
                CheckKind::Context(x)
                    if x.max_mb.is_none() && x.forbid.is_empty() && x.must_ignore.is_empty() && x.canary.is_none() =>
                {
                    bail!("check `{}`: set max_mb, forbid, must_ignore or canary", c.id)
                }
                CheckKind::Context(x) if x.canary_in.is_some() && x.canary.is_none() => {
                    bail!("{}: it says where to search `canary`, which is not set", key("canary_in"))
                }
                CheckKind::Context(x) if x.canary_in.as_ref().is_some_and(|p| p.is_empty()) => {
                    bail!(
                        "{}: it is empty; name `image`, `context` or both (or leave it out for `image`)",
                        key("canary_in")
                    )
                }
                CheckKind::Context(x) if x.canary.as_ref().is_some_and(|c| c.len() < 4) => {
                    bail!("{}: at least 4 bytes, or encoded forms of it would match by chance", key("canary"))
                }
                CheckKind::Stages(s) if s.min == 0 => bail!("check `{}`: min must be at least 1", c.id),
                CheckKind::Absent(p) | CheckKind::Present(p) if p.paths.is_empty() => {
                    bail!("check `{}`: paths is empty", c.id)
                }
                CheckKind::Absent(p) | CheckKind::Present(p) => {
                    if let Some(bad) = p.paths.iter().find(|p| !p.starts_with('/') && !p.starts_with("**")) {
                        bail!("check `{}`: path pattern `{bad}` must be absolute (start with / or **)", c.id);
                    }
                    if let Some(copies) = &p.copies_of {
                        if matches!(c.kind, CheckKind::Present(_)) {
                            bail!("{}: only an `absent` check looks for copies", key("copies_of"));
                        }
                        if copies.image.trim().is_empty() || copies.image.chars().any(|c| c.is_whitespace()) {
                            bail!("{}: {:?} is not an image name", key("copies_of.image"), copies.image);
                        }
                        if copies.paths.is_empty() || copies.paths.len() > COPIES_OF_MAX_PATHS {
                            bail!("{}: name from 1 to {COPIES_OF_MAX_PATHS} files", key("copies_of.paths"));
                        }
                        let bad = |p: &&String| {
                            !p.starts_with('/') || p.contains(['*', '?', '[']) || p.split('/').any(|c| c == "..")
                        };
                        if let Some(bad) = copies.paths.iter().find(bad) {
                            bail!(
                                "{}: `{bad}` must be an absolute path without wildcards or `..` (a file is read, not matched)",
                                key("copies_of.paths")
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        let canaries: std::collections::BTreeSet<&str> = self
            .checks
            .iter()
            .filter_map(|c| match &c.kind {
                CheckKind::Context(x) => x.canary.as_deref(),
                _ => None,
            })
            .collect();
        if canaries.len() > 1 {
            bail!("the checks name {} different canaries; the grader searches one secret per grading", canaries.len());
        }
        for id in &self.starter.fails {
            if !seen.contains(id.as_str()) {
                bail!("starter.fails names `{id}`, which is not the id of any check");
            }
        }
        Ok(())
    }

    /// The sum of all checks' points (at most 1000 checks of at most [`MAX_POINTS`]: it fits).
    pub fn total_points(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }

    /// The first check of a kind, if any.
    pub fn check_of(&self, kind: &str) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.kind.name() == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
format_version = 1
title = "t"
language = "go"
book = "exercises/ex1.md"
[starter]
fails = ["size"]
[[check]]
kind = "size"
points = 10
max_mb = 20
"#;

    #[test]
    fn a_spec_linked_out_of_the_exercise_or_to_a_device_is_not_read() {
        let d = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.path().join(SPEC_FILE)).unwrap();
        let err = format!("{:#}", Spec::load(d.path()).unwrap_err());
        assert!(err.contains("inside the exercise folder") && !err.contains("root:"), "{err}");
        std::fs::remove_file(d.path().join(SPEC_FILE)).unwrap();
        std::os::unix::fs::symlink("/dev/zero", d.path().join(SPEC_FILE)).unwrap();
        assert!(Spec::load(d.path()).is_err());
        std::fs::remove_file(d.path().join(SPEC_FILE)).unwrap();
        std::fs::write(d.path().join(SPEC_FILE), MINIMAL).unwrap();
        assert!(Spec::load(d.path()).is_ok());
    }

    #[test]
    fn unsafe_paths_and_out_of_range_limits_are_rejected_naming_the_key() {
        let cache =
            "\n[[check]]\nkind = \"cache\"\npoints = 1\nstep = \"x\"\nsource = \"SRC\"\nmanifest = \"go.mod\"\n";
        let with_source = |src: &str| Spec::parse(&format!("{MINIMAL}{}", cache.replace("SRC", src)));
        assert!(with_source("cmd/../main.go").is_ok());
        for bad in ["../outside.go", "a/../../b", "/etc/passwd", ".", "a/.."] {
            let err = format!("{:#}", with_source(bad).unwrap_err());
            assert!(err.contains("check `cache`: source") && err.contains("exercise folder"), "{bad}: {err}");
        }
        let smoke = |kv: &str| Spec::parse(&format!("{MINIMAL}\n[[check]]\nkind = \"smoke\"\npoints = 1\n{kv}\n"));
        assert!(smoke("memory_mb = 64").is_ok());
        for (kv, key) in [
            ("memory_mb = 0", "memory_mb = 0"),
            ("memory_mb = 18446744073709551615", "memory_mb"),
            ("pids = -1", "pids"),
            ("pids = 0", "pids"),
            ("timeout_s = 0", "timeout_s"),
        ] {
            let err = format!("{:#}", smoke(kv).err().unwrap_or_else(|| panic!("{kv} accepted")));
            assert!(err.contains(key), "{kv}: {err}");
        }
        let err = Spec::parse(&MINIMAL.replace("points = 10", "points = 99999999999")).unwrap_err().to_string();
        assert!(err.contains("`points` must be an integer from 0 to 1000000"), "{err}");
        let err = Spec::parse(&format!("{MINIMAL}\n[build]\ntimeout_s = 0\n")).unwrap_err().to_string();
        assert!(err.contains("build.timeout_s = 0"), "{err}");
        let err =
            Spec::parse(&format!("{MINIMAL}\n[build]\ndockerfile = \"../Dockerfile\"\n")).unwrap_err().to_string();
        assert!(err.contains("build.dockerfile"), "{err}");
    }

    #[test]
    fn an_identity_request_must_depend_on_the_nonce() {
        let smoke = |t: &str| {
            Spec::parse(&format!(
                "{MINIMAL}\n[[check]]\nkind = \"smoke\"\npoints = 1\nport = 80\n[check.identity]\n{t}\n"
            ))
        };
        let s = smoke("method = \"POST\"\npath = \"/a\"\nbody = '{\"n\": {nonce}}'\nbody_contains = '\"n\":{nonce}'")
            .unwrap();
        let CheckKind::Smoke(x) = &s.checks[1].kind else { panic!() };
        let i = x.identity.as_ref().unwrap().with_nonce("123");
        assert_eq!((i.body.as_deref(), i.body_contains.as_str()), (Some("{\"n\": 123}"), "\"n\":123"));
        assert_eq!(i.content_type, "application/json");
        for (t, said) in [
            ("path = \"/a\"\nbody_contains = \"ok\"", "must contain {nonce}"),
            ("path = \"a\"\nbody_contains = \"{nonce}\"", "identity.path"),
            ("path = \"/a b\"\nbody_contains = \"{nonce}\"", "identity.path"),
            ("method = \"get\"\npath = \"/\"\nbody_contains = \"{nonce}\"", "identity.method"),
            ("path = \"/\"\nbody_contains = \"{nonce}\"\nheaders = 1", "headers"),
        ] {
            let err = format!("{:#}", smoke(t).unwrap_err());
            assert!(err.contains(said), "{t}: {err}");
        }
    }

    #[test]
    fn a_signed_request_with_a_follow_up_must_send_the_nonce_and_find_it_again() {
        let smoke = |env: &str, t: &str| {
            Spec::parse(&format!(
                "{MINIMAL}\n[[check]]\nkind = \"smoke\"\npoints = 1\nport = 80\n{env}\n[check.identity]\n{t}\n"
            ))
        };
        let env = "env = { KEY = \"k-{nonce}\" }";
        let post = "method = \"POST\"\npath = \"/hooks\"\nbody = '{\"type\": \"{nonce}\"}'\nstatus = 202\nbody_contains = \"queued\"";
        let sign = "[check.identity.sign]\nalgorithm = \"hmac-sha256\"\nheader = \"X-Signature\"\nprefix = \"sha256=\"\nkey_env = \"KEY\"\nforged_status = 401";
        let then = "[check.identity.then]\npath = \"/events\"\nbody_contains = '\"type\":\"{nonce}\"'";
        let s = smoke(env, &format!("{post}\n{sign}\n{then}")).unwrap();
        let CheckKind::Smoke(x) = &s.checks[1].kind else { panic!() };
        let i = x.identity.as_ref().unwrap().with_nonce("42");
        let t = i.then.as_ref().unwrap();
        assert_eq!((t.method.as_str(), t.body_contains.as_str(), t.status), ("GET", "\"type\":\"42\"", None));
        let sig = i.sign.as_ref().unwrap();
        assert_eq!(
            (sig.algorithm, sig.header.as_str(), sig.prefix.as_str()),
            (SignAlgorithm::HmacSha256, "X-Signature", "sha256=")
        );
        for (env, t, said) in [
            ("", format!("{post}\n{sign}\n{then}"), "identity.sign.key_env: `KEY` is not set by the check's `env`"),
            (
                env,
                format!("{post}\n{}\n{then}", sign.replace("hmac-sha256", "md5")),
                "unknown variant `md5`, expected `hmac-sha256`",
            ),
            (env, format!("{post}\n{}\n{then}", sign.replace("X-Signature", "X Signature")), "identity.sign.header"),
            (env, format!("{}\n{then}", post.replace("{nonce}", "x")), "the request must send {nonce}"),
            (env, format!("{post}\n{}", then.replace("{nonce}", "x")), "identity.then.body_contains"),
            (env, format!("{post}\n{}", then.replace("/events", "events")), "identity.then.path"),
            (
                env,
                format!("{post}\n{then}\n[check.identity.then.then]\npath = \"/\"\nbody_contains = \"{{nonce}}\""),
                "one follow-up",
            ),
            (env, post.to_string(), "identity.body_contains: \"queued\" must contain {nonce}"),
        ] {
            let err = format!("{:#}", smoke(env, &t).err().unwrap_or_else(|| panic!("accepted: {t}")));
            assert!(err.contains(said), "{t}: {err}");
        }
    }

    #[test]
    fn a_canary_is_searched_where_canary_in_says() {
        let ctx = |kv: &str| Spec::parse(&format!("{MINIMAL}\n[[check]]\nkind = \"context\"\npoints = 1\n{kv}\n"));
        let places = |kv: &str| {
            let s = ctx(kv).unwrap();
            let CheckKind::Context(x) = &s.checks[1].kind else { panic!() };
            (x.canary_for(CanaryPlace::Image).is_some(), x.canary_for(CanaryPlace::Context).is_some())
        };
        assert_eq!(places("canary = \"abcd\""), (true, false));
        assert_eq!(places("canary = \"abcd\"\ncanary_in = [\"context\"]"), (false, true));
        assert_eq!(places("canary = \"abcd\"\ncanary_in = [\"image\", \"context\"]"), (true, true));
        assert_eq!(places("forbid = [\".env\"]"), (false, false));
        for (kv, said) in [
            (
                "forbid = [\".env\"]\ncanary_in = [\"context\"]",
                "check `context`: canary_in: it says where to search `canary`",
            ),
            ("canary = \"abcd\"\ncanary_in = []", "canary_in: it is empty"),
            ("canary = \"abcd\"\ncanary_in = [\"layers\"]", "unknown variant `layers`"),
            ("canary = \"abc\"", "canary: at least 4 bytes"),
        ] {
            let err = format!("{:#}", ctx(kv).unwrap_err());
            assert!(err.contains(said), "{kv}: {err}");
        }
        let two = format!(
            "{MINIMAL}\n[[check]]\nkind = \"context\"\npoints = 1\ncanary = \"abcd\"\n[[check]]\nkind = \"context\"\nid = \"c2\"\npoints = 1\ncanary = \"efgh\"\n"
        );
        assert!(Spec::parse(&two).unwrap_err().to_string().contains("2 different canaries"));
    }

    #[test]
    fn copies_of_names_files_of_an_image_for_an_absent_check_only() {
        let paths = |kind: &str, t: &str| {
            Spec::parse(&format!(
                "{MINIMAL}\n[[check]]\nkind = \"{kind}\"\npoints = 1\nwhat = \"make\"\npaths = [\"/usr/bin/make\"]\n[check.copies_of]\n{t}\n"
            ))
        };
        let s = paths("absent", "image = \"python:3.13-trixie\"\npaths = [\"/usr/bin/make\"]").unwrap();
        let CheckKind::Absent(p) = &s.checks[1].kind else { panic!() };
        assert_eq!(p.copies_of.as_ref().unwrap().paths, vec!["/usr/bin/make"]);
        for (kind, t, said) in [
            ("present", "image = \"x\"\npaths = [\"/a\"]", "only an `absent` check"),
            ("absent", "image = \"\"\npaths = [\"/a\"]", "copies_of.image"),
            ("absent", "image = \"x\"\npaths = []", "copies_of.paths: name from 1 to 64"),
            ("absent", "image = \"x\"\npaths = [\"usr/bin/make\"]", "must be an absolute path"),
            ("absent", "image = \"x\"\npaths = [\"/usr/bin/gcc*\"]", "without wildcards"),
            ("absent", "image = \"x\"\npaths = [\"/a/../etc/shadow\"]", "or `..`"),
            ("absent", "image = \"x\"\npaths = [\"/a\"]\nhash = 1", "hash"),
        ] {
            let err = format!("{:#}", paths(kind, t).unwrap_err());
            assert!(err.contains(said), "{kind} {t}: {err}");
        }
    }

    #[test]
    fn minimal_spec_loads_with_defaults() {
        let s = Spec::parse(MINIMAL).unwrap();
        assert_eq!(s.build.dockerfile, "Dockerfile");
        assert_eq!(s.checks[0].id, "size");
        assert!(
            matches!(s.checks[0].kind, CheckKind::Size(SizeCheck { max_mb: Some(m), max_ratio: None }) if m == 20.0)
        );
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        let err = Spec::parse(&format!("colour = 1\n{MINIMAL}")).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn unknown_check_key_is_named_with_the_check() {
        let err = Spec::parse(&MINIMAL.replace("max_mb = 20", "max_mb = 20\nmax_gb = 1")).unwrap_err().to_string();
        assert!(err.contains("max_gb") && err.contains("check `size`"), "{err}");
    }

    #[test]
    fn unknown_kind_lists_the_known_ones() {
        let err = Spec::parse(&MINIMAL.replace("kind = \"size\"", "kind = \"speed\"")).unwrap_err().to_string();
        assert!(err.contains("unknown kind `speed`") && err.contains("smoke"), "{err}");
    }

    #[test]
    fn starter_fails_must_name_a_check() {
        let err = Spec::parse(&MINIMAL.replace("fails = [\"size\"]", "fails = [\"user\"]")).unwrap_err().to_string();
        assert!(err.contains("`user`"), "{err}");
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let twice = format!("{MINIMAL}\n[[check]]\nkind = \"size\"\npoints = 1\nmax_mb = 5\n");
        assert!(Spec::parse(&twice).unwrap_err().to_string().contains("two checks"));
    }

    #[test]
    fn future_format_version_says_update() {
        let err = Spec::parse(&MINIMAL.replace("format_version = 1", "format_version = 2")).unwrap_err().to_string();
        assert!(err.contains("update the grader"), "{err}");
    }

    #[test]
    fn relative_path_patterns_are_rejected() {
        let s = MINIMAL.replace(
            "kind = \"size\"\npoints = 10\nmax_mb = 20",
            "kind = \"absent\"\npoints = 10\npaths = [\"usr/bin/gcc\"]\nwhat = \"a compiler\"",
        );
        let s = s.replace("fails = [\"size\"]", "fails = []");
        assert!(Spec::parse(&s).unwrap_err().to_string().contains("must be absolute"));
    }
}
