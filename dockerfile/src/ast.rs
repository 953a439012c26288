//! The parsed form of a Dockerfile: directives, global ARGs and stages, each instruction with
//! its line range. Values only; building them is `parse`'s job, judging them is `lint`'s.

use serde::Serialize;

/// A whole Dockerfile, as BuildKit would see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dockerfile {
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`) from the top of the file.
    pub directives: Vec<Directive>,
    /// The escape character in force: `\` or `` ` ``.
    pub escape: char,
    /// `ARG` instructions before the first `FROM`.
    pub global_args: Vec<Instruction>,
    /// The build stages, in file order. Never empty in a parsed file.
    pub stages: Vec<Stage>,
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    /// The value as written, surrounding whitespace removed.
    pub value: String,
    /// 1-based line number.
    pub line: usize,
}

/// One build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// 0-based position among the stages (what `COPY --from=0` refers to).
    pub index: usize,
    /// The `AS` name, lower-cased as BuildKit does.
    pub name: Option<String>,
    /// The image as written, e.g. `golang:1.24-trixie` or `${BASE}`.
    pub base: String,
    /// `base` with the global ARG defaults substituted (`${VAR}`, `$VAR`, `${VAR:-d}`, `${VAR:+x}`);
    /// variables with no default become empty, as in a build without `--build-arg`.
    pub base_resolved: String,
    /// The index of the earlier stage this one builds on (`FROM builder AS test`), if any.
    pub base_stage: Option<usize>,
    /// The `--platform` flag as written.
    pub platform: Option<String>,
    /// The stage's instructions; `instructions[0]` is the `FROM`.
    pub instructions: Vec<Instruction>,
}

/// One instruction with its flags, arguments, heredocs and source location.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instruction {
    /// Upper-case keyword: `RUN`, `COPY`, ...
    pub keyword: String,
    /// First and last source line (1-based, inclusive), heredoc bodies included.
    pub lines: LineSpan,
    /// Flags before the arguments, in order: `--from=builder`, `--mount=...` (repeatable), `--link`.
    pub flags: Vec<Flag>,
    /// What follows the flags.
    pub args: Arguments,
    /// Here-documents opened on the instruction line, in order.
    pub heredocs: Vec<Heredoc>,
    /// For `ONBUILD`: the trigger instruction.
    pub onbuild: Option<Box<Instruction>>,
    /// The source text of the instruction's lines, line endings normalised to `\n`.
    pub raw: String,
    /// The logical line BuildKit parses: continuations joined, comment and blank lines inside a
    /// continuation dropped, heredoc bodies excluded. This is BuildKit's `Original`.
    pub joined: String,
    /// The comment lines between the previous instruction and this one, without the `#` and
    /// surrounding whitespace (parser directives excluded). Lint pragmas live here.
    pub comments: Vec<String>,
}

/// An inclusive, 1-based range of source lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineSpan {
    pub start: usize,
    pub end: usize,
}

/// An instruction flag such as `--from=builder` (`name` is `from`) or `--link` (no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The name without the leading `--`.
    pub name: String,
    /// Everything after the first `=`, quotes removed; `None` when there is no `=`.
    pub value: Option<String>,
}

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arguments {
    /// JSON (exec) form: only for instructions that accept it (RUN, CMD, ENTRYPOINT, SHELL, COPY,
    /// ADD, VOLUME, HEALTHCHECK) and only when the text is a valid JSON array of strings. For
    /// `HEALTHCHECK CMD [...]` the first element is the type word `CMD`.
    Exec(Vec<String>),
    /// Everything else: the text after the flags, continuations joined, trimmed.
    Shell(String),
}

/// A here-document (`<<EOF` ... `EOF`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The terminating word, quotes removed (`EOF` for `<<"EOF"`).
    pub delimiter: String,
    /// The content as the build sees it: every line ends with `\n`, and for `<<-` leading tabs are
    /// already stripped.
    pub body: String,
    /// Opened with `<<-`.
    pub strip_tabs: bool,
    /// The delimiter was (partly) quoted, so variables in the body are not expanded.
    pub quoted: bool,
}

impl LineSpan {
    /// Whether `line` falls inside the span.
    pub fn contains(&self, line: usize) -> bool {
        self.start <= line && line <= self.end
    }
}

impl std::fmt::Display for LineSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

impl Arguments {
    /// The shell text, or `None` for the exec form.
    pub fn shell(&self) -> Option<&str> {
        match self {
            Arguments::Shell(s) => Some(s),
            Arguments::Exec(_) => None,
        }
    }

    /// The exec-form array, or `None` for the shell form.
    pub fn exec(&self) -> Option<&[String]> {
        match self {
            Arguments::Exec(v) => Some(v),
            Arguments::Shell(_) => None,
        }
    }

    /// Whether this is the JSON (exec) form.
    pub fn is_exec(&self) -> bool {
        matches!(self, Arguments::Exec(_))
    }

    /// The arguments as one string: the shell text, or the exec array joined with spaces.
    pub fn as_text(&self) -> String {
        match self {
            Arguments::Shell(s) => s.clone(),
            Arguments::Exec(v) => v.join(" "),
        }
    }
}

impl Instruction {
    /// The value of the last flag named `name` (`--from=builder` gives `Some("builder")`; a flag
    /// without a value gives `Some("")`).
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().rev().find(|f| f.name == name).map(|f| f.value.as_deref().unwrap_or(""))
    }

    /// Every flag named `name`, in order (`--mount` may repeat).
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// The `key=value` fields of each `--mount` flag, keys lower-cased
    /// (`--mount=type=cache,target=/root/.cache` gives `[[("type", "cache"), ("target", "/root/.cache")]]`).
    pub fn mounts(&self) -> Vec<Vec<(String, String)>> {
        self.flags_named("mount")
            .map(|f| {
                f.value
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
                        None => (kv.trim().to_ascii_lowercase(), String::new()),
                    })
                    .collect()
            })
            .collect()
    }

    /// Whether the instruction has the keyword `keyword` (case-insensitive).
    pub fn is(&self, keyword: &str) -> bool {
        self.keyword.eq_ignore_ascii_case(keyword)
    }

    /// The arguments split the way BuildKit splits COPY, ADD, EXPOSE and VOLUME: the exec array,
    /// or the shell text split on ASCII whitespace (quotes are not interpreted).
    pub fn arg_list(&self) -> Vec<String> {
        match &self.args {
            Arguments::Exec(v) => v.clone(),
            Arguments::Shell(s) => {
                s.split([' ', '\t', '\u{b}', '\u{c}', '\r']).filter(|w| !w.is_empty()).map(str::to_string).collect()
            }
        }
    }

    /// The one-line form BuildKit shows in progress output and vertex names, e.g.
    /// `RUN --mount=type=cache,target=/root/.cache go build -o /app .`: the joined line, trimmed,
    /// keyword upper-cased, and for a `RUN <<EOF` whose command is the heredoc alone, ` (first
    /// line...)` appended. BuildKit also substitutes variables the stage has set with ENV/ARG;
    /// this does not (it has no build arguments to work with).
    pub fn text(&self) -> String {
        let trimmed = self.joined.trim();
        let mut out = match trimmed.split_once(' ') {
            Some((head, rest)) => format!("{} {}", head.to_uppercase(), rest),
            None => trimmed.to_uppercase(),
        };
        if self.is("RUN") && !self.heredocs.is_empty() {
            if let Arguments::Shell(cmd) = &self.args {
                if crate::parse::heredoc::is_single_heredoc_word(cmd) {
                    out.push_str(&format!(" ({})", summarize_heredoc(&self.heredocs[0].body)));
                }
            }
        }
        out
    }
}

/// First line of a heredoc body, with `...` when there are more (BuildKit's summary).
fn summarize_heredoc(body: &str) -> String {
    let body = body.trim();
    let mut lines = body.split('\n');
    let first = lines.next().unwrap_or("");
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first.to_string()
    }
}

impl Stage {
    /// The stage's `FROM` instruction.
    pub fn from(&self) -> &Instruction {
        &self.instructions[0]
    }

    /// From the `FROM` line to the last line of the stage's last instruction.
    pub fn lines(&self) -> LineSpan {
        let start = self.instructions.first().map_or(0, |i| i.lines.start);
        let end = self.instructions.last().map_or(start, |i| i.lines.end);
        LineSpan { start, end }
    }

    /// The name, or the index as BuildKit shows unnamed stages (`stage-2`).
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("stage-{}", self.index),
        }
    }

    /// Whether the stage starts from `scratch` (the empty image).
    pub fn is_scratch(&self) -> bool {
        self.base_stage.is_none() && self.base_resolved.eq_ignore_ascii_case("scratch")
    }
}

impl Dockerfile {
    /// The last stage: what `docker build` without `--target` produces.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// A stage by name (case-insensitive) or by decimal index.
    pub fn stage(&self, name_or_index: &str) -> Option<&Stage> {
        let lower = name_or_index.to_ascii_lowercase();
        if let Some(s) = self.stages.iter().find(|s| s.name.as_deref() == Some(lower.as_str())) {
            return Some(s);
        }
        if !name_or_index.is_empty() && name_or_index.bytes().all(|b| b.is_ascii_digit()) {
            return name_or_index.parse::<usize>().ok().and_then(|i| self.stages.get(i));
        }
        None
    }

    /// The other stages `stage` uses directly: the stage it starts from (`FROM build`), the
    /// stages its `COPY --from=` and `RUN --mount=...,from=` name (by name or index), in order,
    /// without repeats. A `--from` that names no stage is an image; one with a variable
    /// (`--from=${BUILDER}`) is not followed.
    pub fn stages_used_by(&self, stage: &Stage) -> Vec<usize> {
        let mut out: Vec<usize> = stage.base_stage.into_iter().collect();
        for ins in stage.instructions.iter().skip(1) {
            let mut froms: Vec<String> = Vec::new();
            if ins.is("COPY") {
                froms.extend(ins.flag("from").map(str::to_string));
            }
            if ins.is("RUN") {
                for m in ins.mounts() {
                    froms.extend(m.into_iter().find(|(k, _)| k == "from").map(|(_, v)| v));
                }
            }
            for from in froms {
                if let Some(s) = self.stage(&from).filter(|s| s.index != stage.index) {
                    if !out.contains(&s.index) {
                        out.push(s.index);
                    }
                }
            }
        }
        out
    }

    /// Which stages building `roots` needs: the roots and every stage they use, transitively
    /// (see [`Dockerfile::stages_used_by`]). `needed[i]` is true for stage `i`.
    pub fn stages_needed(&self, roots: &[usize]) -> Vec<bool> {
        let mut needed = vec![false; self.stages.len()];
        let mut todo: Vec<usize> = roots.iter().copied().filter(|&i| i < self.stages.len()).collect();
        while let Some(i) = todo.pop() {
            if std::mem::replace(&mut needed[i], true) {
                continue;
            }
            todo.extend(self.stages_used_by(&self.stages[i]).into_iter().filter(|&j| !needed[j]));
        }
        needed
    }

    /// Every instruction in file order: global ARGs, then each stage's.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.global_args.iter().chain(self.stages.iter().flat_map(|s| s.instructions.iter()))
    }

    /// The stage and instruction covering `line`, if any.
    pub fn instruction_at(&self, line: usize) -> Option<(Option<&Stage>, &Instruction)> {
        if let Some(i) = self.global_args.iter().find(|i| i.lines.contains(line)) {
            return Some((None, i));
        }
        self.stages.iter().find_map(|s| s.instructions.iter().find(|i| i.lines.contains(line)).map(|i| (Some(s), i)))
    }

    /// The value of the `# syntax=` directive, if any.
    pub fn directive(&self, name: &str) -> Option<&str> {
        self.directives.iter().find(|d| d.name.eq_ignore_ascii_case(name)).map(|d| d.value.as_str())
    }
}
