//! Just enough shell to read RUN lines: split a script into simple commands (on `&&`, `||`, `;`,
//! `|`, newlines), drop leading `VAR=value` assignments and wrappers (`sudo`, `env`, ...), look
//! inside `sh -c '...'`, and name the common package-manager and dependency-install commands.
//! The lint rules read it, and the grader finds a cache check's dependency step with
//! [`runs_step`].

use crate::ast::{Arguments, Instruction};

/// One simple command: its words with quotes removed.
pub type Command = Vec<String>;

/// The script a RUN executes: the shell text plus the bodies of its heredocs, or the exec array
/// joined (so that `RUN ["sh", "-c", "..."]` is read too).
pub(crate) fn script_of(ins: &Instruction) -> String {
    let mut script = match &ins.args {
        Arguments::Shell(s) => s.clone(),
        Arguments::Exec(v) => v
            .iter()
            .map(|w| if w.contains(char::is_whitespace) { format!("'{}'", w.replace('\'', "")) } else { w.clone() })
            .collect::<Vec<_>>()
            .join(" "),
    };
    for h in &ins.heredocs {
        script.push('\n');
        script.push_str(&h.body);
    }
    script
}

/// The simple commands of a RUN instruction, `sh -c` bodies included.
pub fn commands_of(ins: &Instruction) -> Vec<Command> {
    let mut out = Vec::new();
    collect(&script_of(ins), &mut out, 0);
    out
}

/// The simple commands of a RUN instruction that always run when the RUN does (and its earlier
/// commands succeed): not the right side of `||`, not inside `if`/`case`/loops, not after `exit`
/// or `false`. `true || go mod download` never installs anything.
pub fn reached_commands_of(ins: &Instruction) -> Vec<Command> {
    let mut out = Vec::new();
    collect_with(&script_of(ins), &mut out, 0, true);
    out
}

fn collect(script: &str, out: &mut Vec<Command>, depth: usize) {
    collect_with(script, out, depth, false)
}

fn collect_with(script: &str, out: &mut Vec<Command>, depth: usize, reached_only: bool) {
    // `dead`: an `exit` ran, nothing after it does. `cut`: the current `&&` chain will not run
    // on (after `false`, or after a command that runs only on a condition); `;` ends the chain.
    let (mut dead, mut cut) = (false, false);
    for (op, raw) in split_ops(script) {
        let conditional = op == Op::Or
            || raw.first().is_some_and(|w| {
                matches!(w.as_str(), "then" | "else" | "elif" | "do" | "if" | "while" | "until" | "case")
            });
        let cmd = strip_wrappers(raw);
        if reached_only {
            if matches!(op, Op::Seq | Op::Other) {
                cut = false;
            }
            if dead || cut || conditional {
                cut = true;
                continue;
            }
            match program(&cmd) {
                "exit" | "return" => dead = true,
                "false" => cut = true,
                _ => {}
            }
            if dead || cut {
                continue;
            }
        }
        if cmd.is_empty() {
            continue;
        }
        let prog = program(&cmd);
        if depth < 3 && matches!(prog, "sh" | "bash" | "dash" | "ash" | "zsh") {
            if let Some(pos) = cmd.iter().position(|w| w == "-c" || w == "-ec" || w == "-ex") {
                if let Some(body) = cmd.get(pos + 1) {
                    collect_with(body, out, depth + 1, reached_only);
                    continue;
                }
            }
        }
        out.push(cmd);
    }
}

/// How a simple command is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `;`, a newline, or the start of the script.
    Seq,
    And,
    Or,
    /// `|`, `&`, a subshell or a command substitution.
    Other,
}

/// Splits a script into simple commands, each with the operator that joins it to the previous.
fn split_ops(script: &str) -> Vec<(Op, Command)> {
    let chars: Vec<char> = script.chars().collect();
    let mut commands = Vec::new();
    let mut op = Op::Seq;
    let mut cmd: Command = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    let end_word = |word: &mut String, in_word: &mut bool, cmd: &mut Command| {
        if *in_word {
            cmd.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => match chars.get(i) {
                Some('\n') => i += 1,
                Some(&n) => {
                    word.push(n);
                    in_word = true;
                    i += 1;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                while let Some(&n) = chars.get(i) {
                    i += 1;
                    if n == '\'' {
                        break;
                    }
                    word.push(n);
                }
            }
            '"' => {
                in_word = true;
                while let Some(&n) = chars.get(i) {
                    i += 1;
                    if n == '"' {
                        break;
                    }
                    if n == '\\' {
                        if let Some(&m) = chars.get(i) {
                            if matches!(m, '"' | '\\' | '$' | '`') {
                                word.push(m);
                                i += 1;
                                continue;
                            }
                        }
                    }
                    word.push(n);
                }
            }
            '#' if !in_word => {
                while chars.get(i).is_some_and(|&n| n != '\n') {
                    i += 1;
                }
            }
            ';' | '&' | '|' | '\n' | '(' | ')' | '`' => {
                end_word(&mut word, &mut in_word, &mut cmd);
                let this = match (c, chars.get(i)) {
                    ('&', Some('&')) => Op::And,
                    ('|', Some('|')) => Op::Or,
                    (';' | '\n', _) => Op::Seq,
                    _ => Op::Other,
                };
                if matches!(this, Op::And | Op::Or) {
                    i += 1;
                }
                if !cmd.is_empty() {
                    commands.push((op, std::mem::take(&mut cmd)));
                    op = this;
                } else if c != '\n' {
                    // A newline after `&&` or `||` (or a blank line) keeps the operator.
                    op = this;
                }
            }
            '$' if chars.get(i) == Some(&'(') => {
                end_word(&mut word, &mut in_word, &mut cmd);
                if !cmd.is_empty() {
                    commands.push((op, std::mem::take(&mut cmd)));
                }
                op = Op::Other;
                i += 1;
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut cmd),
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut cmd);
    if !cmd.is_empty() {
        commands.push((op, cmd));
    }
    commands
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Drops leading assignments and wrapper commands (`sudo`, `env`, `exec`, `time`, `nohup`, `do`,
/// `then`, ...).
fn strip_wrappers(mut cmd: Command) -> Command {
    loop {
        let Some(first) = cmd.first() else {
            return cmd;
        };
        let strip = is_assignment(first)
            || matches!(
                first.as_str(),
                "sudo" | "env" | "exec" | "time" | "nohup" | "command" | "then" | "do" | "else" | "{" | "!"
            );
        if !strip {
            return cmd;
        }
        cmd.remove(0);
    }
}

/// The command's program, without its directory (`/usr/bin/pip3` gives `pip3`).
pub fn program(cmd: &Command) -> &str {
    cmd.first().map(|w| w.rsplit('/').next().unwrap_or(w)).unwrap_or("")
}

/// The first word after `skip` words that is not an option.
fn subcommand(cmd: &Command, skip: usize) -> Option<&str> {
    let mut it = cmd.iter().skip(skip);
    while let Some(w) = it.next() {
        if w == "-o" || w == "-c" || w == "-t" {
            it.next();
            continue;
        }
        if !w.starts_with('-') {
            return Some(w);
        }
    }
    None
}

/// `apt-get`/`apt` and its subcommand.
pub(crate) fn apt(cmd: &Command) -> Option<&str> {
    matches!(program(cmd), "apt-get" | "apt").then(|| subcommand(cmd, 1)).flatten()
}

/// For `pip install ...` (also `pip3`, `python -m pip`, `uv pip`): the index of the word after
/// `install`, so callers can read its arguments.
pub(crate) fn pip_install(cmd: &Command) -> Option<usize> {
    let prog = program(cmd);
    let start = if is_pip(prog) {
        1
    } else if prog.starts_with("python") && cmd.get(1).is_some_and(|w| w == "-m") {
        if cmd.get(2).is_some_and(|w| is_pip(w)) {
            3
        } else {
            return None;
        }
    } else if prog == "uv" && cmd.get(1).is_some_and(|w| w == "pip") {
        2
    } else {
        return None;
    };
    let pos = cmd.iter().skip(start).position(|w| !w.starts_with('-'))? + start;
    (cmd[pos] == "install").then_some(pos + 1)
}

fn is_pip(w: &str) -> bool {
    w.strip_prefix("pip").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Whether `cmd` runs the step a cache check names (`go mod download`, `npm`, `pip
/// requirements.txt`): the step's first word is the program (`pip` also stands for `pip3`,
/// `python -m pip` and `uv pip`), and each further word must be one of the command's arguments,
/// in that order (an argument matches as written, as a path ending in it, or as `--opt=word`).
/// A step of one word (`npm`) must also install the project's dependencies (`npm ci`, `npm
/// install`, not `npm --version`). Only the command's own words count: `echo go mod download`
/// runs `echo`, and a comment runs nothing; a command told to do nothing (`--dry-run`,
/// `--help`, `--version`) is not the step.
pub fn runs_step(cmd: &Command, step: &str) -> bool {
    let mut want = step.split_whitespace();
    let Some(prog) = want.next() else { return false };
    let (name, args) = normalised(cmd);
    if name != prog {
        return false;
    }
    if args.iter().any(|a| matches!(a.as_str(), "--dry-run" | "--help" | "-h" | "--version" | "-V")) {
        return false;
    }
    let rest: Vec<&str> = want.collect();
    if rest.is_empty() {
        return dependency_install(cmd).is_some();
    }
    let mut args = args.iter();
    rest.iter().all(|w| {
        args.any(|a| {
            a == w
                || a.ends_with(&format!("/{w}"))
                || a.split_once('=')
                    .is_some_and(|(k, v)| k.starts_with('-') && (v == *w || v.ends_with(&format!("/{w}"))))
        })
    })
}

/// The command's program as a cache check names it, and its arguments: `python3 -m pip install`
/// and `uv pip install` are `pip` with `install`, `pip3.13` is `pip`.
fn normalised(cmd: &Command) -> (&str, &[String]) {
    let prog = program(cmd);
    if is_pip(prog) {
        return ("pip", &cmd[1..]);
    }
    if prog.starts_with("python") && cmd.get(1).is_some_and(|w| w == "-m") && cmd.get(2).is_some_and(|w| is_pip(w)) {
        return ("pip", &cmd[3..]);
    }
    if prog == "uv" && cmd.get(1).is_some_and(|w| w == "pip") {
        return ("pip", &cmd[2..]);
    }
    (prog, cmd.get(1..).unwrap_or(&[]))
}

/// A dependency ecosystem whose install step the cache rules care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Go,
    Python,
    Node,
    Rust,
    Ruby,
    Php,
    Dotnet,
    Java,
}

impl Ecosystem {
    /// The files to copy before the install step.
    pub fn manifests(self) -> &'static str {
        match self {
            Ecosystem::Go => "go.mod and go.sum",
            Ecosystem::Python => "requirements.txt (or pyproject.toml and the lock file)",
            Ecosystem::Node => "package.json and the lock file",
            Ecosystem::Rust => "Cargo.toml and Cargo.lock",
            Ecosystem::Ruby => "Gemfile and Gemfile.lock",
            Ecosystem::Php => "composer.json and composer.lock",
            Ecosystem::Dotnet => "the *.csproj files",
            Ecosystem::Java => "pom.xml or the Gradle build files",
        }
    }

    /// The command that installs only the dependencies.
    pub fn install_step(self) -> &'static str {
        match self {
            Ecosystem::Go => "`go mod download`",
            Ecosystem::Python => "`pip install -r requirements.txt`",
            Ecosystem::Node => "`npm ci`",
            Ecosystem::Rust => "`cargo fetch` (or build a dummy main)",
            Ecosystem::Ruby => "`bundle install`",
            Ecosystem::Php => "`composer install`",
            Ecosystem::Dotnet => "`dotnet restore`",
            Ecosystem::Java => "`mvn dependency:go-offline`",
        }
    }

    /// Where the package manager keeps its download cache (a cache-mount target).
    pub fn cache_dir(self) -> &'static str {
        match self {
            Ecosystem::Go => "/go/pkg/mod",
            Ecosystem::Python => "/root/.cache/pip",
            Ecosystem::Node => "/root/.npm",
            Ecosystem::Rust => "/usr/local/cargo/registry",
            Ecosystem::Ruby => "/usr/local/bundle/cache",
            Ecosystem::Php => "/root/.composer/cache",
            Ecosystem::Dotnet => "/root/.nuget/packages",
            Ecosystem::Java => "/root/.m2",
        }
    }
}

/// Whether `cmd` installs a project's dependencies, and for which ecosystem. The text is the
/// command as the learner would recognise it (`npm ci`).
pub fn dependency_install(cmd: &Command) -> Option<(Ecosystem, String)> {
    let prog = program(cmd);
    let sub = |n: usize| subcommand(cmd, n).unwrap_or("");
    let eco = match prog {
        "go" if sub(1) == "mod" && cmd.iter().any(|w| w == "download") => Ecosystem::Go,
        "npm" if matches!(sub(1), "ci" | "install" | "i") => Ecosystem::Node,
        "yarn" if matches!(sub(1), "" | "install") => Ecosystem::Node,
        "pnpm" if matches!(sub(1), "install" | "i") => Ecosystem::Node,
        "cargo" if matches!(sub(1), "build" | "fetch") => Ecosystem::Rust,
        "poetry" if sub(1) == "install" => Ecosystem::Python,
        "pipenv" if matches!(sub(1), "install" | "sync") => Ecosystem::Python,
        "uv" if sub(1) == "sync" => Ecosystem::Python,
        "bundle" if sub(1) == "install" => Ecosystem::Ruby,
        "composer" if sub(1) == "install" => Ecosystem::Php,
        "dotnet" if sub(1) == "restore" => Ecosystem::Dotnet,
        "mvn" | "./mvnw" | "mvnw" if cmd.iter().any(|w| w.starts_with("dependency:")) => Ecosystem::Java,
        _ => {
            let at = pip_install(cmd)?;
            let args = &cmd[at..];
            let from_project = args.iter().any(|w| {
                w == "-r"
                    || w.starts_with("--requirement")
                    || (w.starts_with("-r") && w.len() > 2)
                    || w == "."
                    || w == "./"
                    || w == "-e"
            });
            if !from_project {
                return None;
            }
            Ecosystem::Python
        }
    };
    let shown: Vec<&str> = cmd.iter().take(3).map(String::as_str).collect();
    Some((eco, shown.join(" ")))
}

/// Like `dependency_install`, and also the build steps that fetch missing dependencies on the
/// way (`go build`, `go test`, `go install`): what must not follow a copy of the whole context.
pub(crate) fn dependency_use(cmd: &Command) -> Option<(Ecosystem, String)> {
    if let Some(found) = dependency_install(cmd) {
        return Some(found);
    }
    let sub = subcommand(cmd, 1).unwrap_or("");
    (program(cmd) == "go" && matches!(sub, "build" | "test" | "install")).then(|| (Ecosystem::Go, format!("go {sub}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(s: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        collect(s, &mut out, 0);
        out
    }

    #[test]
    fn splits_on_operators_and_strips_wrappers() {
        let c = cmds("DEBIAN_FRONTEND=noninteractive sudo apt-get update && apt-get install -y \\\n curl; rm -rf /var/lib/apt/lists/* # done");
        assert_eq!(c.len(), 3);
        assert_eq!(c[0], ["apt-get", "update"]);
        assert_eq!(c[1], ["apt-get", "install", "-y", "curl"]);
        assert_eq!(c[2], ["rm", "-rf", "/var/lib/apt/lists/*"]);
        assert_eq!(apt(&c[1]), Some("install"));
    }

    #[test]
    fn reads_sh_c_and_quotes() {
        let c = cmds("sh -c 'pip install --no-cache-dir -r \"requirements.txt\"'");
        assert_eq!(c, [["pip", "install", "--no-cache-dir", "-r", "requirements.txt"]]);
        assert_eq!(pip_install(&c[0]), Some(2));
        let c = cmds("python3 -m pip install -r req.txt");
        assert_eq!(pip_install(&c[0]), Some(4));
        assert!(dependency_install(&c[0]).is_some());
        assert!(dependency_install(&cmds("pip install flask")[0]).is_none());
    }

    #[test]
    fn reached_commands_leave_out_alternatives_and_dead_code() {
        let reached = |s: &str| {
            let mut out = Vec::new();
            collect_with(s, &mut out, 0, true);
            out.into_iter().map(|c| c.join(" ")).collect::<Vec<_>>()
        };
        assert_eq!(reached("go mod download && go mod verify"), ["go mod download", "go mod verify"]);
        assert_eq!(
            reached(
                "cat go.mod && \
  go mod download -x"
            ),
            ["cat go.mod", "go mod download -x"]
        );
        assert_eq!(reached("true || go mod download"), ["true"]);
        assert_eq!(reached("cat go.mod; false && go mod download; echo done"), ["cat go.mod", "echo done"]);
        assert_eq!(reached("cat go.mod; exit 0; go mod download"), ["cat go.mod"]);
        assert_eq!(reached("if [ -n x ]; then go mod download; fi"), ["fi"]);
        assert_eq!(reached("sh -c 'true || go mod download'"), ["true"]);
        assert_eq!(reached("go mod download || true"), ["go mod download"]);
        assert_eq!(reached("echo a | go mod download"), ["echo a", "go mod download"]);
    }

    #[test]
    fn steps_are_commands_not_text() {
        let runs = |s: &str, step: &str| cmds(s).iter().any(|c| runs_step(c, step));
        assert!(runs("go mod download -x", "go mod download"));
        assert!(runs("GOFLAGS=-mod=mod go mod download && go mod verify", "go mod download"));
        assert!(runs("sh -c 'cd /src && go mod download'", "go mod download"));
        assert!(!runs("echo go mod download", "go mod download"));
        assert!(!runs("true # go mod download", "go mod download"));
        assert!(!runs("go mod tidy", "go mod download"));
        assert!(runs("npm ci --omit=dev", "npm"));
        assert!(runs("npm install", "npm"));
        assert!(!runs("npm --version", "npm"));
        assert!(!runs("npm config set fund false", "npm"));
        assert!(!runs("npm ci --dry-run", "npm ci"));
        assert!(!runs("pip install --dry-run -r requirements.txt", "pip requirements.txt"));
        assert!(!runs("go mod download --help", "go mod download"));
        assert!(runs("npm run build", "npm run build"));
        assert!(!runs("npm run lint", "npm run build"));
        for honest in [
            "pip install -r requirements.txt",
            "pip install --no-cache-dir -r /tmp/requirements.txt",
            "python -m pip install --requirement=requirements.txt",
            "/venv/bin/pip3 wheel --wheel-dir /wheels -r requirements.txt",
            "uv pip install -r requirements.txt",
        ] {
            assert!(runs(honest, "pip requirements.txt"), "{honest}");
        }
        assert!(!runs("pip install --upgrade pip", "pip requirements.txt"));
        assert!(!runs("cat requirements.txt", "pip requirements.txt"));
        assert!(!runs("echo pip install -r requirements.txt", "pip requirements.txt"));
    }

    #[test]
    fn dependency_installs() {
        let eco = |s: &str| dependency_install(&cmds(s)[0]).map(|(e, _)| e);
        assert_eq!(eco("go mod download -x"), Some(Ecosystem::Go));
        assert_eq!(eco("npm ci --omit=dev"), Some(Ecosystem::Node));
        assert_eq!(eco("cargo build --release"), Some(Ecosystem::Rust));
        assert_eq!(eco("go build ./..."), None);
        let used = |s: &str| dependency_use(&cmds(s)[0]).map(|(e, _)| e);
        assert_eq!(used("CGO_ENABLED=0 go build -o /app ."), Some(Ecosystem::Go));
        assert_eq!(eco("npm run build"), None);
    }
}
