//! `mdbook-rubric`: the binary mdBook runs. `mdbook-rubric supports <renderer>` answers yes
//! for every renderer; with no arguments it reads `[context, book]` as JSON on stdin and
//! writes the expanded book as JSON on stdout.
//!
//! `mdbook-rubric build <book> [--dest-dir <dir>]` builds the whole book with mdBook's own
//! library (mdbook-driver, the version of mdbook-preprocessor) and this binary as the
//! preprocessor, so neither the tests nor a maintainer need a separately installed `mdbook`.

use std::io;
use std::process::ExitCode;

use mdbook_preprocessor::Preprocessor;
use mdbook_rubric::preprocessor::{version_mismatch, Rubric};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("supports") => ExitCode::SUCCESS,
        Some("build") => match build(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mdbook-rubric build: {e:#}");
                ExitCode::FAILURE
            }
        },
        Some(other) => {
            eprintln!("mdbook-rubric: unknown argument `{other}` (mdBook runs this as `mdbook-rubric` or `mdbook-rubric supports <renderer>`; `mdbook-rubric build <book> [--dest-dir <dir>]` builds a book)");
            ExitCode::from(2)
        }
        None => match run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mdbook-rubric: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run() -> anyhow::Result<()> {
    let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin())?;
    if let Some(warning) = version_mismatch(&ctx.mdbook_version) {
        eprintln!("mdbook-rubric: warning: {warning}");
    }
    let book = Rubric.run(&ctx, book)?;
    serde_json::to_writer(io::stdout().lock(), &book)?;
    Ok(())
}

/// `build <book> [--dest-dir <dir>]`, as `mdbook build` does it, with mdBook's log on stderr.
fn build(args: &[String]) -> anyhow::Result<()> {
    let (book, dest) = match args {
        [book] => (book, None),
        [book, flag, dest] if flag == "--dest-dir" => (book, Some(dest)),
        _ => anyhow::bail!("usage: mdbook-rubric build <book> [--dest-dir <dir>]"),
    };
    let filter = tracing_subscriber::EnvFilter::builder()
        .with_env_var("MDBOOK_LOG")
        .with_default_directive(tracing_subscriber::filter::LevelFilter::INFO.into())
        .from_env_lossy();
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .with_target(false)
        .init();
    // The book's `[preprocessor.rubric]` runs this very binary unless told otherwise.
    if std::env::var_os("MDBOOK_PREPROCESSOR__RUBRIC__COMMAND").is_none() {
        std::env::set_var("MDBOOK_PREPROCESSOR__RUBRIC__COMMAND", std::env::current_exe()?);
    }
    // Absolute, as `mdbook` makes it: preprocessors resolve the book's paths from its root.
    let cwd = std::env::current_dir()?;
    let mut md = mdbook_driver::MDBook::load(cwd.join(book))?;
    if let Some(dest) = dest {
        md.config.build.build_dir = cwd.join(dest);
    }
    md.build()
}
