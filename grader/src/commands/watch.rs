//! `grader watch [id]`: grade, then again whenever a file of the exercise is saved, like
//! rustlings' watch mode: the screen is cleared and redrawn, a save during a build cancels that
//! build (the engine's work is cleaned up as on Ctrl-C) and starts again, and keys act at once:
//! h next hint, r re-run, l list, n next exercise, q quit. Files are watched with `notify`
//! (the platform's API), falling back to polling where that fails; `--manual` watches nothing
//! and grades again on r. Without a terminal, keys are read one per line from stdin.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::check::{is_in, next_steps, record};
use super::grade::{grade, with_engine};
use crate::cli::BuildArgs;
use crate::error::Interrupted;
use crate::exit::Outcome;
use crate::output::spinner;
use crate::plan::BuildOptions;
use crate::progress::Progress;
use crate::report::{render, Format, Report};
use workbook::{Exercise, Workbook};

/// What can happen while watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// A file of the exercise was saved.
    Changed,
    Key(char),
}

/// The keys, as the footer shows them.
const KEYS: &str = "h hint · r re-run · l list · n next exercise · q quit";

pub async fn run(workbook: &Workbook, mut exercise: Exercise, build: BuildArgs, manual: bool) -> Result<Outcome> {
    let screen = Screen::new();
    let (tx, mut rx) = unbounded_channel();
    read_keys(tx.clone(), screen.raw);
    let mut watcher = if manual { None } else { Some(watch(&exercise.dir, tx.clone(), &screen)) };
    let mut stopped = false;
    loop {
        screen.clear();
        if stopped {
            screen.show("a file changed during the last build: its build was stopped, starting again\n");
        }
        screen.show(&format!("grading {} (saving a file restarts it · q quits)\n", exercise.id));
        stopped = false;
        match grade_or_cancel(&exercise, build, &mut rx).await {
            Ok(Graded::Report(report)) => {
                screen.clear();
                screen.show(&render(&report, Format::Table, crate::output::style()));
                if is_in(workbook, &exercise) {
                    record(workbook, &report, true);
                    screen.show(&next_steps(workbook, &report));
                }
            }
            Ok(Graded::Cancelled(Event::Key('q'))) => return Ok(Outcome::Pass),
            Ok(Graded::Cancelled(e)) => {
                stopped = e == Event::Changed;
                settle(&mut rx).await;
                continue;
            }
            Err(e) if e.is::<Interrupted>() => return Err(e),
            Err(e) => screen.show(&format!("error: {e:#}\n")),
        }
        let waiting = if manual { "press r to grade again" } else { "watching for saves" };
        screen.show(&format!("\n{KEYS} · {waiting}\n"));
        loop {
            let event = tokio::select! {
                e = rx.recv() => e,
                _ = tokio::signal::ctrl_c() => return Ok(Outcome::Pass),
            };
            match event {
                None | Some(Event::Key('q')) => return Ok(Outcome::Pass),
                Some(Event::Changed) => {
                    settle(&mut rx).await;
                    break;
                }
                Some(Event::Key('r')) => break,
                Some(Event::Key('h')) => match super::hint::text(workbook, Some(&exercise.id), false) {
                    Ok(t) => screen.show(&format!("\n{t}")),
                    Err(e) => screen.show(&format!("error: {e:#}\n")),
                },
                Some(Event::Key('l')) => match super::list::text(workbook) {
                    Ok(t) => screen.show(&format!("\n{t}")),
                    Err(e) => screen.show(&format!("error: {e:#}\n")),
                },
                Some(Event::Key('n')) => {
                    let ids: Vec<String> = workbook.exercises()?.into_iter().map(|e| e.id).collect();
                    match Progress::load(&workbook.root).next(&ids, Some(&exercise.id)) {
                        Some(next) if next != exercise.id => {
                            exercise = workbook.exercise(Some(next))?;
                            drop(watcher.take());
                            if !manual {
                                watcher = Some(watch(&exercise.dir, tx.clone(), &screen));
                            }
                            break;
                        }
                        _ => screen.show("\nno other exercise left to do: every other one passes\n"),
                    }
                }
                Some(Event::Key(_)) => {}
            }
        }
    }
}

enum Graded {
    Report(Box<Report>),
    /// A save, r or q arrived first: the build was dropped and the engine cleaned up.
    Cancelled(Event),
}

/// One grading, given up as soon as a save, r or q arrives. The select runs inside
/// `with_engine`, so everything the abandoned run created is removed as on Ctrl-C.
async fn grade_or_cancel(exercise: &Exercise, build: BuildArgs, rx: &mut UnboundedReceiver<Event>) -> Result<Graded> {
    let opts = BuildOptions { pull: build.pull, builder: build.builder.into(), timeout: build.timeout };
    let progress = spinner();
    let result = with_engine(|engine| {
        let progress = &progress;
        async move {
            tokio::select! {
                r = grade(&engine, exercise, &exercise.dir, opts, progress) => r.map(|r| Graded::Report(Box::new(r))),
                e = interrupting(rx) => Ok(Graded::Cancelled(e)),
            }
        }
    })
    .await;
    progress.finish_and_clear();
    result
}

/// The next event that stops a grading; other keys wait.
async fn interrupting(rx: &mut UnboundedReceiver<Event>) -> Event {
    loop {
        match rx.recv().await {
            Some(e @ (Event::Changed | Event::Key('q' | 'r'))) => return e,
            Some(_) => {}
            None => std::future::pending::<()>().await,
        }
    }
}

/// Lets an editor finish writing (a save is often several events), then forgets the burst.
async fn settle(rx: &mut UnboundedReceiver<Event>) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(e) = rx.try_recv() {
        if e == Event::Key('q') {
            // Keep a quit that came with the burst (rare: it is simply typed again).
            break;
        }
    }
}

/// Watches the exercise folder; falls back to polling when the platform's API fails (network
/// mounts, some WSL setups, exhausted inotify watches).
fn watch(dir: &Path, tx: UnboundedSender<Event>, screen: &Screen) -> Box<dyn Watcher + Send> {
    let handler = move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res {
            if is_a_save(&ev) {
                let _ = tx.send(Event::Changed);
            }
        }
    };
    let native = notify::recommended_watcher(handler.clone())
        .and_then(|mut w| w.watch(dir, RecursiveMode::Recursive).map(|_| w));
    match native {
        Ok(w) => Box::new(w),
        Err(e) => {
            screen.show(&format!("note: watching files failed ({e}); polling every second instead\n"));
            let config = notify::Config::default().with_poll_interval(Duration::from_secs(1));
            let mut w = notify::PollWatcher::new(handler, config).expect("a poll watcher needs no platform API");
            if let Err(e) = w.watch(dir, RecursiveMode::Recursive) {
                screen.show(&format!("note: cannot watch {} ({e}): press r to grade again\n", dir.display()));
            }
            Box::new(w)
        }
    }
}

/// Whether an event is a change to one of the learner's files: not the grader's `.grader/`,
/// not an editor's swap or backup file, not a read.
fn is_a_save(ev: &notify::Event) -> bool {
    let content = matches!(
        ev.kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(notify::event::ModifyKind::Data(_) | notify::event::ModifyKind::Name(_))
            | EventKind::Modify(notify::event::ModifyKind::Any)
            | EventKind::Access(notify::event::AccessKind::Close(notify::event::AccessMode::Write))
    );
    content
        && ev.paths.iter().any(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let ours =
                p.components().any(|c| matches!(c.as_os_str().to_str(), Some(".grader" | ".git" | "node_modules")));
            let editor = name.ends_with(".swp")
                || name.ends_with(".swx")
                || name.ends_with('~')
                || name.starts_with(".#")
                || name == "4913";
            !ours && !editor
        })
}

/// Reads keys: at once in raw mode on a terminal, else one per line from stdin (so a script
/// or a test can drive it). Ctrl-C in raw mode is q.
fn read_keys(tx: UnboundedSender<Event>, raw: bool) {
    std::thread::spawn(move || {
        if raw {
            use crossterm::event::{read, Event as Term, KeyCode, KeyEventKind, KeyModifiers};
            while let Ok(ev) = read() {
                if let Term::Key(k) = ev {
                    if k.kind != KeyEventKind::Press {
                        continue;
                    }
                    let key = match k.code {
                        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => 'q',
                        KeyCode::Char(c) => c.to_ascii_lowercase(),
                        KeyCode::Esc => 'q',
                        _ => continue,
                    };
                    if tx.send(Event::Key(key)).is_err() {
                        return;
                    }
                }
            }
        } else {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
                if let Some(c) = line.trim().chars().next() {
                    if tx.send(Event::Key(c.to_ascii_lowercase())).is_err() {
                        return;
                    }
                }
                line.clear();
            }
        }
    });
}

/// The terminal: raw mode (keys without Enter) while watching, restored on every exit.
struct Screen {
    raw: bool,
    /// Clearing is for a real terminal only (not a pipe, not TERM=dumb).
    clears: bool,
}

impl Screen {
    fn new() -> Screen {
        let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let raw = terminal && crossterm::terminal::enable_raw_mode().is_ok();
        Screen { raw, clears: std::io::stdout().is_terminal() && !dumb }
    }

    fn clear(&self) {
        if self.clears {
            crate::output::emit("\x1b[2J\x1b[3J\x1b[H");
        }
    }

    /// Prints text; raw mode does not turn `\n` into a new line by itself.
    fn show(&self, text: &str) {
        let text = if crate::output::style().unicode { text.to_string() } else { crate::output::ascii(text) };
        let text = if self.raw { text.replace('\n', "\r\n") } else { text };
        crate::output::emit(&text);
        let _ = std::io::stdout().flush();
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if self.raw {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
}

#[cfg(test)]
mod tests {
    use notify::event::{AccessKind, CreateKind, DataChange, ModifyKind};
    use notify::{Event, EventKind};

    fn ev(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(path.into())
    }

    #[test]
    fn saves_count_reads_and_the_graders_own_files_do_not() {
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        assert!(super::is_a_save(&ev(modify, "/w/exercises/ex1/Dockerfile")));
        assert!(super::is_a_save(&ev(EventKind::Create(CreateKind::File), "/w/exercises/ex1/.dockerignore")));
        assert!(!super::is_a_save(&ev(EventKind::Access(AccessKind::Read), "/w/exercises/ex1/Dockerfile")));
        assert!(!super::is_a_save(&ev(modify, "/w/exercises/ex1/.grader/starter/Dockerfile")));
        assert!(!super::is_a_save(&ev(modify, "/w/exercises/ex1/.Dockerfile.swp")));
    }
}
