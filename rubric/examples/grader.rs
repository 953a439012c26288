//! The grader's command line, exactly as the `grader` binary runs it (its `main` is this one
//! line). `cargo test -p mdbook-rubric` builds it with the tests, so the browser test can
//! compare the lint playground with `grader lint --format json` without building the grader
//! package's binary (the preprocessor itself does not depend on the grader).

fn main() -> std::process::ExitCode {
    use clap::Parser;
    grader::run(grader::cli::Cli::parse())
}
