//! One handler per subcommand, each in its own file; they tie the pipeline to the command line
//! and write the output. `cli.rs` declares the commands.

mod check;
mod clean;
mod doctor;
mod grade;
mod hint;
mod lint;
mod list;
mod reset;
mod verify;
mod watch;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;
use workbook::Workbook;

pub async fn run(cli: Cli) -> Result<Outcome> {
    let workbook = || Workbook::find(cli.root.as_deref());
    match cli.command {
        Command::List => list::run(&workbook()?),
        Command::Doctor => doctor::run(workbook().ok().as_ref()).await,
        Command::Check { exercise, build, format } => {
            // A folder with an exercise.toml is graded as it is, workbook or not.
            let exercise = match exercise.as_deref() {
                Some(p) if std::path::Path::new(p).join(workbook::spec::SPEC_FILE).is_file() => {
                    workbook::Exercise::load(std::path::Path::new(p))?
                }
                other => workbook()?.exercise(other)?,
            };
            check::run(&exercise, build, format).await
        }
        Command::Watch { exercise, build } => watch::run(&workbook()?.exercise(exercise.as_deref())?, build).await,
        Command::Hint { exercise } => hint::run(&workbook()?, exercise.as_deref()),
        Command::Lint { dockerfile, target, format } => {
            lint::run(cli.root.as_deref(), &dockerfile, target.as_deref(), format)
        }
        Command::Explain { rule } => lint::explain(rule.as_deref()),
        Command::Reset { exercise } => reset::run(&workbook()?, exercise.as_deref()),
        Command::Verify { exercises, build } => verify::run(&workbook()?, &exercises, build).await,
        Command::Clean { dry_run } => clean::run(dry_run).await,
    }
}
