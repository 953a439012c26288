//! Rules about single instructions: GR010 shell-form-cmd, GR011 add-instead-of-copy, GR015
//! secret-in-arg-or-env.

use super::{body, code, sources};
use crate::ast::Arguments;
use crate::lint::ids;
use crate::lint::{Context, Finding};

/// GR010: CMD and ENTRYPOINT of the final stage in shell form.
pub(crate) fn shell_form_cmd(ctx: &Context, out: &mut Vec<Finding>) {
    let stage = ctx.final_stage();
    for ins in body(stage) {
        if !(ins.is("CMD") || ins.is("ENTRYPOINT")) {
            continue;
        }
        let text = match &ins.args {
            Arguments::Shell(text) => text,
            Arguments::Exec(words) => {
                json_wrapped_shell(ctx, stage, ins, words, out);
                continue;
            }
        };
        if text.is_empty() || text.starts_with("exec ") {
            continue;
        }
        if text.trim_start().starts_with('[') {
            // Meant as the exec form, but not valid JSON: Docker silently runs it in shell form.
            out.push(ctx.finding(
                ids::SHELL_FORM_CMD,
                stage,
                ins,
                format!(
                    "{} starts with `[` but is not valid JSON, so Docker runs it in shell form, as `/bin/sh -c '{}'`: \
                     write every item in double quotes, separated by commas, and close the list with `]`, e.g. {}",
                    ins.keyword,
                    text.trim(),
                    code(&format!("{} [\"/app\", \"--serve\"]", ins.keyword))
                ),
            ));
            continue;
        }
        let words: Vec<String> = text.split_whitespace().map(|w| format!("\"{}\"", w.replace('"', "\\\""))).collect();
        let fix = code(&format!("{} [{}]", ins.keyword, words.join(", ")));
        // What runs as PID 1 decides what goes wrong: with an exec-form ENTRYPOINT, a shell-form
        // CMD becomes that program's arguments.
        let why = match exec_entrypoint(stage).as_deref() {
            Some(ep) if ins.is("CMD") && is_init(ep) => format!(
                "runs as `/bin/sh -c '{}'` under {ep}: {ep} is PID 1 and forwards SIGTERM, but to the shell, not \
                 to your program, which may never see it (and the image needs /bin/sh)",
                text.trim()
            ),
            Some(ep) if ins.is("CMD") => format!(
                "is handed to the ENTRYPOINT `{ep}` as the three arguments `/bin/sh`, `-c`, `{}`, which it \
                 probably does not expect",
                text.trim()
            ),
            _ => "runs under `/bin/sh -c`, which becomes PID 1 and does not pass SIGTERM on, so `docker stop` \
                  waits out its grace period (10 s) and kills it"
                .to_string(),
        };
        out.push(ctx.finding(
            ids::SHELL_FORM_CMD,
            stage,
            ins,
            format!("{} in shell form {why}: use the exec form, e.g. {fix}", ins.keyword),
        ));
    }
}

/// The exec form that only starts a shell (`["sh", "-c", "python app.py; ..."]`): the shell sits
/// between PID 1 (or the init) and the program, as in the shell form, unless the body starts
/// with `exec`.
fn json_wrapped_shell(
    ctx: &Context,
    stage: &crate::ast::Stage,
    ins: &crate::ast::Instruction,
    words: &[String],
    out: &mut Vec<Finding>,
) {
    let [shell, flag, body, ..] = words else { return };
    let name = shell.rsplit('/').next().unwrap_or(shell);
    if !matches!(name, "sh" | "bash" | "dash" | "ash" | "zsh") || flag != "-c" {
        return;
    }
    if body.trim_start().starts_with("exec ") {
        return;
    }
    out.push(ctx.finding(
        ids::SHELL_FORM_CMD,
        stage,
        ins,
        format!(
            "{} is in JSON form but only starts `{shell} -c`: the shell runs `{}` as its child and gets the stop \
             signal instead of your program, as with the shell form; start the body with `exec` \
             (`\"exec {}\"`) or list the program itself in the JSON array",
            ins.keyword,
            body.trim(),
            body.trim()
        ),
    ));
}

/// The program of the stage's last ENTRYPOINT when it is in exec form.
fn exec_entrypoint(stage: &crate::ast::Stage) -> Option<String> {
    let ep = body(stage).iter().rfind(|i| i.is("ENTRYPOINT"))?;
    ep.args.exec()?.first().cloned()
}

/// Whether a program is a small init that forwards signals (tini, dumb-init, Docker's init).
fn is_init(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(name, "tini" | "tini-static" | "dumb-init" | "docker-init" | "catatonit")
}

fn is_remote(src: &str) -> bool {
    let s = src.to_ascii_lowercase();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("git://")
        || s.starts_with("ssh://")
        || s.contains(".git#")
        || s.ends_with(".git")
}

fn is_archive(src: &str) -> bool {
    let s = src.to_ascii_lowercase();
    [
        ".tar",
        ".tar.gz",
        ".tgz",
        ".tar.bz2",
        ".tbz2",
        ".tbz",
        ".tar.xz",
        ".txz",
        ".tar.zst",
        ".tzst",
        ".tar.lz",
        ".tar.lzma",
    ]
    .iter()
    .any(|ext| s.ends_with(ext))
}

/// GR011: ADD of local files that are not archives (COPY does that, with no surprises).
pub(crate) fn add_instead_of_copy(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        for ins in body(stage) {
            if !ins.is("ADD") {
                continue;
            }
            let srcs = sources(ins);
            if srcs.iter().any(|s| is_remote(s) || is_archive(s) || s.contains('$')) {
                continue;
            }
            let what = if srcs.is_empty() {
                "an inline file".to_string()
            } else {
                srcs.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")
            };
            out.push(ctx.finding(
                ids::ADD_INSTEAD_OF_COPY,
                stage,
                ins,
                format!(
                    "ADD of {what}: ADD also unpacks archives and fetches URLs, so use COPY for plain local files ({})",
                    code(&ins.text().replacen("ADD", "COPY", 1))
                ),
            ));
        }
    }
}

/// Words in ARG/ENV names that suggest a secret.
const SECRET_WORDS: &[&str] =
    &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIALS"];

fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| {
        upper == *w
            || upper.ends_with(&format!("_{w}"))
            || upper.starts_with(&format!("{w}_"))
            || upper.contains(&format!("_{w}_"))
    })
}

/// The names an ARG or ENV instruction declares.
fn declared_names(text: &str, legacy_env: bool) -> Vec<String> {
    if legacy_env {
        return text.split_whitespace().next().map(str::to_string).into_iter().collect();
    }
    text.split_whitespace()
        .filter_map(|w| {
            let name = w.split('=').next().unwrap_or(w);
            let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            ok.then(|| name.to_string())
        })
        .collect()
}

/// GR015: ARG or ENV whose name says it holds a secret (ARG values and ENV end up in the
/// image's history and config).
pub(crate) fn secret_in_arg_or_env(ctx: &Context, out: &mut Vec<Finding>) {
    let global = ctx.df.global_args.iter().map(|i| (None, i));
    let staged = ctx.df.stages.iter().flat_map(|s| body(s).iter().map(move |i| (Some(s), i)));
    for (stage, ins) in global.chain(staged) {
        if !(ins.is("ARG") || ins.is("ENV")) {
            continue;
        }
        let text = ins.args.shell().unwrap_or("");
        let legacy = ins.is("ENV") && !text.split_whitespace().next().unwrap_or("").contains('=');
        for name in declared_names(text, legacy) {
            if !looks_secret(&name) {
                continue;
            }
            let message = format!(
                "{} {} looks like a secret: ARG and ENV values are recorded in the image (history and config); pass it with `RUN --mount=type=secret,id={},env={}` instead",
                ins.keyword,
                code(&name),
                name.to_ascii_lowercase(),
                name
            );
            let stage_ref = stage.unwrap_or(&ctx.df.stages[0]);
            let mut f = ctx.finding(ids::SECRET_IN_ARG_OR_ENV, stage_ref, ins, message);
            if stage.is_none() {
                f.stage = None;
            }
            out.push(f);
        }
    }
}
