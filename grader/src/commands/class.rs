//! `grader class`: grades a roster of submissions for the chosen exercises against the
//! instructor's specs, on a pool of engines, and writes the gradebook (JSON, CSV, Markdown
//! summary). Each grading is the pipeline `grader check` runs (`grade::grade`), in this process:
//! one submission's error never stops the others, the terminal shows results in roster order,
//! and the gradebook is rewritten after every submission, so a killed run resumes where it was.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use indicatif::ProgressBar;

use super::grade::{grade, stop_signal};
use crate::class::gradebook::{self, CheckColumn, ExerciseColumns, Grade, Gradebook, Outcome, StudentRow};
use crate::class::pool::{answers, Pool};
use crate::class::roster::{self, Location, Submission};
use crate::class::{fingerprint, summary};
use crate::cli::BuildArgs;
use crate::engine::Engine;
use crate::error::{advice, Interrupted};
use crate::exit;
use crate::plan::BuildOptions;
use workbook::{Exercise, Workbook};

/// What the command line asked for.
pub struct ClassArgs {
    pub roster: Vec<String>,
    pub exercises: Vec<String>,
    pub jobs: usize,
    pub engines: Vec<String>,
    pub out: PathBuf,
    pub fresh: bool,
    pub build: BuildArgs,
}

/// The state shared by the gradings of one class run.
struct Class<'a> {
    exercises: Vec<Exercise>,
    columns: Vec<ExerciseColumns>,
    pool: Pool,
    opts: BuildOptions,
    /// The previous gradebook, whose grades with unchanged inputs are reused.
    previous: Option<Gradebook>,
    /// Engines with a grading under way, by run id: cleaned up if the run is interrupted.
    live: Mutex<HashMap<String, Engine>>,
    /// What the fingerprint mixes in besides files.
    extra: String,
    out: &'a Path,
}

pub async fn run(workbook: &Workbook, args: ClassArgs) -> Result<exit::Outcome> {
    let exercises = choose(workbook, &args.exercises)?;
    let submissions = roster::read(&args.roster)?;
    let opts = BuildOptions { pull: args.build.pull, builder: args.build.builder.into(), timeout: args.build.timeout };
    let addresses = if args.engines.is_empty() { vec![environment_engine()?] } else { args.engines.clone() };
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let previous = if args.fresh { None } else { read_previous(&args.out.join("gradebook.json")) };
    let class = Class {
        columns: exercises.iter().map(columns).collect(),
        exercises,
        pool: Pool::new(&addresses, args.jobs),
        extra: format!("grader {} {opts:?}", env!("CARGO_PKG_VERSION")),
        opts,
        previous,
        live: Mutex::new(HashMap::new()),
        out: &args.out,
    };
    class.check_engines().await?;
    eprintln!(
        "grading {} submissions × {} on {} engine{} ({} at once each)",
        submissions.len(),
        class.columns.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", "),
        addresses.len(),
        if addresses.len() == 1 { "" } else { "s" },
        args.jobs.max(1)
    );

    let rows: Mutex<Vec<Option<StudentRow>>> = Mutex::new(vec![None; submissions.len()]);
    let at_once = addresses.len() * args.jobs.max(1);
    let work = async {
        let mut printed = 0;
        let mut done = futures_util::stream::iter(submissions.iter().enumerate())
            .map(|(i, s)| {
                let class = &class;
                async move { (i, class.grade_submission(s).await) }
            })
            .buffer_unordered(at_once);
        while let Some((i, row)) = done.next().await {
            let mut rows = rows.lock().unwrap();
            rows[i] = Some(row);
            // Results in roster order: print every finished row up to the first still running.
            while printed < rows.len() {
                let Some(row) = &rows[printed] else { break };
                crate::output::emit(&line(row));
                printed += 1;
            }
            class.write(&submissions, &rows)?;
        }
        anyhow::Ok(())
    };
    let result = tokio::select! {
        r = work => r,
        _ = stop_signal() => Err(Interrupted.into()),
    };
    let live: Vec<Engine> = class.live.lock().unwrap().drain().map(|(_, e)| e).collect();
    for engine in live {
        engine.cleanup().await;
    }
    result?;

    let rows = rows.into_inner().unwrap();
    let book = class.book(&submissions, &rows);
    eprintln!(
        "gradebook: {} (one row per student), {}, {}",
        class.out.join("gradebook.csv").display(),
        class.out.join("gradebook.json").display(),
        class.out.join("summary.md").display()
    );
    let errors = book.students.iter().flat_map(|s| &s.grades).filter(|g| g.outcome.is_error()).count();
    if errors > 0 {
        return Err(advice(format!(
            "{errors} grading{} could not be done (not the students' failures; see summary.md): \
             run the same command again to grade only those",
            if errors == 1 { "" } else { "s" }
        )));
    }
    let all_passed = book.students.iter().flat_map(|s| &s.grades).all(|g| g.outcome.passed());
    Ok(if all_passed { exit::Outcome::Pass } else { exit::Outcome::Fail })
}

/// The exercises to grade: those named, else all of the workbook's.
fn choose(workbook: &Workbook, ids: &[String]) -> Result<Vec<Exercise>> {
    if ids.is_empty() {
        return workbook.exercises();
    }
    ids.iter().map(|id| workbook.exercise(Some(id))).collect()
}

fn columns(e: &Exercise) -> ExerciseColumns {
    ExerciseColumns {
        id: e.id.clone(),
        max_score: e.spec.total_points(),
        checks: e.spec.checks.iter().map(|c| CheckColumn { id: c.id.clone(), max_points: c.points }).collect(),
    }
}

/// The previous run's gradebook, if one is there and readable (else everything is graded).
fn read_previous(path: &Path) -> Option<Gradebook> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(book) => Some(book),
        Err(e) => {
            eprintln!("note: {} is not a gradebook this grader reads ({e}); grading everything", path.display());
            None
        }
    }
}

/// A finished row on the terminal: one line per exercise.
fn line(row: &StudentRow) -> String {
    let mut out = String::new();
    for g in &row.grades {
        let how = if g.reused {
            "unchanged, from the gradebook".to_string()
        } else {
            let retry = if g.attempts > 1 { ", after its first engine failed" } else { "" };
            format!("{:.1} s on {}{retry}", g.seconds, g.engine)
        };
        out.push_str(&format!("{:<20} {:<6} {}  ({how})\n", row.student, g.exercise, g.outcome.line()));
    }
    out
}

impl Class<'_> {
    /// Connects to every engine once: a wrong address fails before any grading; an engine that
    /// does not answer is left out with a warning (all of them: exit 2). Also sweeps what killed
    /// runs left there, as `grader check` does.
    async fn check_engines(&self) -> Result<()> {
        let errors = self.pool.connect().await;
        for (address, e) in &errors {
            eprintln!("warning: leaving out the engine at {address}: {e:#}");
        }
        let engines: Vec<&Engine> = (0..self.pool.addresses().count()).filter_map(|i| self.pool.engine(i)).collect();
        for engine in &engines {
            engine.sweep_stale().await;
        }
        if engines.is_empty() {
            return Err(advice("no engine answered: start Docker or check the --engine addresses"));
        }
        Ok(())
    }

    /// Every chosen exercise of one submission; its errors become grades, never a stop.
    async fn grade_submission(&self, s: &Submission) -> StudentRow {
        let mut clone_dir = None;
        let root: Result<PathBuf> = match &s.location {
            Location::Folder(p) => Ok(p.clone()),
            Location::Git(url) => match tempfile::Builder::new().prefix("grader-class-").tempdir() {
                Ok(tmp) => {
                    let into = tmp.path().join("checkout");
                    let r = roster::clone(url, &into).await.map(|_| into);
                    clone_dir = Some(tmp);
                    r
                }
                Err(e) => Err(e.into()),
            },
        };
        let mut grades = Vec::new();
        for exercise in &self.exercises {
            let started = Instant::now();
            let grade = |outcome, fingerprint: String, engine: String, attempts| Grade {
                exercise: exercise.id.clone(),
                fingerprint,
                engine,
                attempts,
                seconds: started.elapsed().as_secs_f64(),
                reused: false,
                outcome,
            };
            let root = match &root {
                Ok(r) => r,
                Err(e) => {
                    grades.push(grade(Outcome::Error { message: format!("{e:#}") }, String::new(), String::new(), 0));
                    continue;
                }
            };
            let Some(dir) = roster::exercise_dir(root, &exercise.id) else {
                let message = format!("no exercises/{} folder in the submission", exercise.id);
                grades.push(grade(Outcome::Missing { message }, String::new(), String::new(), 0));
                continue;
            };
            let print = {
                let (dir, instructor, extra) = (dir.clone(), exercise.dir.clone(), self.extra.clone());
                tokio::task::spawn_blocking(move || fingerprint::of(&dir, &instructor, &extra)).await
            };
            let print = match print.map_err(anyhow::Error::from).and_then(|r| r) {
                Ok(p) => p,
                Err(e) => {
                    let message = format!("reading {}: {e:#}", dir.display());
                    grades.push(grade(Outcome::Error { message }, String::new(), String::new(), 0));
                    continue;
                }
            };
            if let Some(old) = self.previous.as_ref().and_then(|b| b.reusable(&s.name, &exercise.id, &print)) {
                grades.push(Grade { reused: true, ..old.clone() });
                continue;
            }
            let (outcome, engine, attempts) = self.grade_on_pool(exercise, &dir).await;
            grades.push(grade(outcome, print, engine, attempts));
        }
        drop(clone_dir);
        StudentRow::new(s.name.clone(), s.location.display(), grades, &self.columns)
    }

    /// One grading on the pool: on an engine with room; when that engine fails (it no longer
    /// answers), once more on another one. A failure of the engine is an error, never a verdict.
    async fn grade_on_pool(&self, exercise: &Exercise, dir: &Path) -> (Outcome, String, u32) {
        let mut avoid = None;
        let mut last: Option<(String, String)> = None;
        let mut attempts = 0;
        while attempts < 2 {
            let Some(lease) = self.pool.acquire(avoid).await else { break };
            attempts += 1;
            let address = lease.address().to_string();
            let Some(engine) = self.pool.engine(lease.index).map(Engine::new_run) else {
                // Never connected: `connect` marked it down, so no lease names it.
                avoid = Some(lease.index);
                continue;
            };
            self.live.lock().unwrap().insert(engine.run_id.clone(), engine.clone());
            let result = grade(&engine, exercise, dir, self.opts, &ProgressBar::hidden()).await;
            let engine_failed = result.is_err() && !answers(&engine).await;
            engine.cleanup().await;
            self.live.lock().unwrap().remove(&engine.run_id);
            match result {
                Ok(report) => return (Outcome::graded(&report), address, attempts),
                Err(e) if engine_failed => {
                    eprintln!("note: the engine at {address} failed while grading {}; trying another one", exercise.id);
                    self.pool.mark_down(lease.index);
                    avoid = Some(lease.index);
                    last = Some((format!("{e:#}"), address));
                }
                Err(e) => return (Outcome::Error { message: format!("{e:#}") }, address, attempts),
            }
        }
        match last {
            Some((message, address)) => (Outcome::Error { message }, address, attempts),
            None => (Outcome::Error { message: "no engine is left to grade on".into() }, String::new(), attempts),
        }
    }

    /// The gradebook of the rows done so far; a submission not graded yet keeps its row from the
    /// previous gradebook, so an interrupted run loses nothing it could reuse.
    fn book(&self, submissions: &[Submission], rows: &[Option<StudentRow>]) -> Gradebook {
        let students = submissions
            .iter()
            .zip(rows)
            .filter_map(|(s, row)| {
                row.clone().or_else(|| self.previous.as_ref()?.students.iter().find(|r| r.student == s.name).cloned())
            })
            .collect();
        Gradebook {
            format_version: gradebook::FORMAT_VERSION,
            grader_version: env!("CARGO_PKG_VERSION").to_string(),
            exercises: self.columns.clone(),
            students,
        }
    }

    /// Writes the three files, each through a temporary file and a rename (never half written).
    fn write(&self, submissions: &[Submission], rows: &[Option<StudentRow>]) -> Result<()> {
        let book = self.book(submissions, rows);
        for (name, text) in [
            ("gradebook.json", gradebook::json(&book)),
            ("gradebook.csv", gradebook::csv(&book)),
            ("summary.md", summary::markdown(&book)),
        ] {
            let path = self.out.join(name);
            let tmp = self.out.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

/// The engine the docker CLI would use here, as `--engine` would name it: the selected docker
/// context by its name (its TLS material comes with it), else the host `DOCKER_HOST` or the
/// default socket gives (TLS from the variables, as for `docker -H`).
fn environment_engine() -> Result<String> {
    let address = crate::engine::connect::EngineAddress::from_environment()?;
    Ok(match &address.source {
        crate::engine::connect::Source::Context { name, .. } => name.clone(),
        _ => address.url(),
    })
}
