//! One handler per subcommand, each in its own file; they tie the pipeline to the command line
//! and write the output. `cli.rs` declares the commands.

pub mod check;
mod class;
mod clean;
mod doctor;
pub mod grade;
mod hint;
mod lint;
mod list;
mod reset;
mod solution;
mod verify;
mod watch;
mod welcome;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;
use workbook::Workbook;

pub async fn run(cli: Cli) -> Result<Outcome> {
    let workbook = || Workbook::find(cli.root.as_deref());
    let Some(command) = cli.command else { return welcome::run(&workbook()?) };
    match command {
        Command::List => list::run(&workbook()?),
        Command::Doctor => doctor::run(workbook().ok().as_ref()).await,
        Command::Check { exercises, all, build, format, output } => {
            let req = check::Request { exercises, all, build, format, outputs: output };
            check::run(cli.root.as_deref(), req).await
        }
        Command::Watch { exercise, build, manual } => {
            let workbook = workbook()?;
            let exercise = workbook.exercise(exercise.as_deref())?;
            watch::run(&workbook, exercise, build, manual).await
        }
        Command::Hint { exercise, all } => hint::run(&workbook()?, exercise.as_deref(), all),
        Command::Solution { exercise, force } => solution::run(&workbook()?, exercise.as_deref(), force),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "grader", &mut out);
            crate::output::emit(&String::from_utf8_lossy(&out));
            Ok(Outcome::Pass)
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            crate::output::emit(&String::from_utf8_lossy(&out));
            Ok(Outcome::Pass)
        }
        Command::Lint { dockerfile, target, format } => {
            lint::run(cli.root.as_deref(), &dockerfile, target.as_deref(), format)
        }
        Command::Explain { rule } => lint::explain(rule.as_deref()),
        Command::Reset { exercise, yes, remove_added } => {
            reset::run(&workbook()?, exercise.as_deref(), yes, remove_added)
        }
        Command::Verify { exercises, build } => verify::run(&workbook()?, &exercises, build).await,
        Command::Clean { dry_run } => clean::run(dry_run).await,
        Command::Class { roster, exercises, jobs, engines, out, fresh, build } => {
            class::run(
                &workbook()?,
                class::ClassArgs { roster, exercises, jobs: jobs.into(), engines, out, fresh, build },
            )
            .await
        }
    }
}
