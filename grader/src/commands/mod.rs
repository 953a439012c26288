//! One handler per subcommand.

mod check;
mod hint;
mod list;
mod verify;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::error::Outcome;
use crate::workbook::Workbook;

pub async fn run(cli: Cli) -> Result<Outcome> {
    let workbook = || Workbook::find(cli.root.as_deref());
    match cli.command {
        Command::List => list::run(&workbook()?),
        Command::Check { exercise, build, format } => check::run(&workbook()?, exercise.as_deref(), build, format).await,
        Command::Hint { exercise } => hint::run(&workbook()?, exercise.as_deref()),
        Command::Verify { exercises, build } => verify::run(&workbook()?, &exercises, build).await,
    }
}

/// Whether to colour output: a terminal, and NO_COLOR unset.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
