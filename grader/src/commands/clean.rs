//! `grader clean`: removes what gradings that were killed (SIGKILL, a crashed runner) left in
//! the engine, found by the grader's own run label; `--dry-run` only lists it. Objects of runs
//! still going on this machine are left alone (see `engine::sweep`).

use anyhow::Result;

use crate::engine::sweep::{LeftoverKind, RunState};
use crate::engine::Engine;
use crate::exit::Outcome;

pub async fn run(dry_run: bool) -> Result<Outcome> {
    let engine = Engine::connect().await?;
    let found = engine.leftovers().await?;
    let (gone, live): (Vec<_>, Vec<_>) = found.into_iter().partition(|(_, s)| *s != RunState::Alive);
    let verb = if dry_run { "would remove" } else { "removed" };
    // Containers first: an image in use by one cannot go.
    let mut gone = gone;
    gone.sort_by_key(|(l, _)| l.kind == LeftoverKind::Image);
    for (l, state) in &gone {
        let what = match l.kind {
            LeftoverKind::Container => "container",
            LeftoverKind::Image => "image",
        };
        let why = if *state == RunState::Stale { "over a day old" } else { "its grader is gone" };
        let name = l.names.first().cloned().unwrap_or_else(|| l.id.chars().take(19).collect());
        if !dry_run {
            engine.remove_leftover(l).await;
        }
        println!("{verb} {what} {name} (run {}, {why})", l.run);
    }
    let runs: std::collections::BTreeSet<&str> = live.iter().map(|(l, _)| l.run.as_str()).collect();
    println!(
        "{} {} object(s) of finished runs; {} object(s) of {} running grading(s) left alone",
        verb,
        gone.len(),
        live.len(),
        runs.len()
    );
    Ok(Outcome::Pass)
}
