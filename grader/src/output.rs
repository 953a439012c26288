//! What the grader writes for people, apart from reports: stdout that survives a closed pipe,
//! whether to colour, status lines and the spinner on stderr. No grading here.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Writes to stdout; a closed pipe (`grader list | head`) is not an error worth a panic.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// Whether to colour output: a terminal, and NO_COLOR unset.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A status line on stderr: above the spinner on a terminal, plain otherwise (CI logs).
pub fn say(progress: &ProgressBar, line: String) {
    if progress.is_hidden() {
        eprintln!("{line}");
    } else {
        progress.println(line);
    }
}

/// A spinner on stderr that shows the current step and the elapsed time (hidden when stderr is
/// not a terminal, e.g. in CI).
pub fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix:.bold} [{elapsed}] {wide_msg}").expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
