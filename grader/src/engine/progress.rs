//! The build's progress stream, recorded as steps: BuildKit's vertices (grouped by digest,
//! last update wins, a step another build already ran counted as cached) or the classic
//! builder's `Step N/M : ...` lines. Pure: `engine::build` feeds it the engine's messages and
//! asks whether the probe's step is decided yet, which step runs now (the spinner) and, for a
//! log, which steps started or finished since it last asked ([`StepLog`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::models::{BuildInfo, BuildInfoAux};

use super::diagnose::{infrastructure, is_cancellation, missing_base};
use crate::facts::build::{squash, BuildFailure, BuildOutcome, Builder, Step};

/// The most of a step's output kept (its end).
const LOG_TAIL_BYTES: usize = 6000;

/// Accumulates the stream of one build.
#[derive(Default)]
pub struct Recorder {
    /// `GRADER_DEBUG=raw`: print every vertex message as it arrives.
    raw_debug: bool,
    /// The engine's time stamp (seconds, nanoseconds) of this build's first step.
    began: Option<(i64, i32)>,
    /// BuildKit vertices by digest, in first-seen order.
    order: Vec<String>,
    vertices: HashMap<String, Step>,
    /// Classic builder: steps in order; the last is the current one.
    classic: Vec<Step>,
    /// BuildKit steps by name: how long the engine says each took (its own start and end
    /// stamps), for a log line about a step first seen already finished.
    seconds: HashMap<String, f64>,
}

impl Recorder {
    /// A recorder for one build; `raw_debug` prints every vertex message as it arrives.
    pub fn new(raw_debug: bool) -> Recorder {
        Recorder { raw_debug, ..Recorder::default() }
    }

    pub fn take(&mut self, info: BuildInfo) {
        if let Some(BuildInfoAux::BuildKit(status)) = info.aux {
            for v in status.vertexes {
                let started = v.started.as_ref().map(|t| (t.seconds, t.nanos));
                let completed = v.completed.as_ref().map(|t| (t.seconds, t.nanos));
                if self.raw_debug {
                    eprintln!(
                        "vertex {:.19} cached={} started={started:?} completed={completed:?} {}",
                        v.digest, v.cached, v.name
                    );
                }
                // The engine's clock at the start of this build: the first time stamp it sends.
                // Nothing of the Dockerfile can run before the build context (which holds it) is
                // loaded, so that first stamp is this build's own.
                if self.began.is_none() {
                    self.began = started;
                }
                // BuildKit shares a step between concurrent builds that need the same result,
                // and a build that joins a step another build still holds is sent that step's
                // past progress, as the other build reported it: its name, its times, and
                // `cached: false` if it ran there. A step that completed before this build began
                // came from a result that already existed: for this build it is cached.
                let past = matches!((completed, self.began), (Some(c), Some(b)) if c < b);
                if let (Some(b), Some(c), false) = (started, completed, past) {
                    let secs = (c.0 - b.0) as f64 + f64::from(c.1 - b.1) / 1e9;
                    self.seconds.insert(v.name.clone(), secs.max(0.0));
                }
                let step = self.vertex(&v.digest);
                if !past || step.name.is_empty() {
                    step.name = v.name;
                }
                step.cached |= v.cached || past;
                step.started |= started.is_some();
                step.completed |= completed.is_some();
                if !past && !v.error.is_empty() {
                    step.error = Some(v.error);
                }
            }
            for log in status.logs {
                let step = self.vertex(&log.vertex);
                push_tail(&mut step.log_tail, &String::from_utf8_lossy(&log.msg));
            }
            return;
        }
        if let Some(text) = info.stream {
            for line in text.split_inclusive('\n') {
                if let Some(rest) = line.strip_prefix("Step ") {
                    if let Some(prev) = self.classic.last_mut() {
                        prev.completed = true;
                    }
                    // "Step 3/7 : RUN go mod download" -> "[3/7] RUN go mod download"
                    let name = match rest.split_once(" : ") {
                        Some((counter, instr)) => format!("[{}] {}", counter.trim(), instr.trim()),
                        None => rest.trim().to_string(),
                    };
                    self.classic.push(Step { name, ..Step::default() });
                } else if line.trim() == "---> Using cache" {
                    if let Some(s) = self.classic.last_mut() {
                        s.cached = true;
                    }
                } else if line.trim_start().starts_with("---> Running in") {
                    if let Some(s) = self.classic.last_mut() {
                        s.started = true;
                    }
                } else if let Some(s) = self.classic.last_mut() {
                    match line.trim().strip_prefix("---> ") {
                        // " ---> 1a2b3c4d5e6f": the step's image (committed, or the cache's).
                        Some(id) if !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()) => {
                            s.image = Some(id.to_string());
                        }
                        Some(_) => {}
                        None => push_tail(&mut s.log_tail, line),
                    }
                }
            }
        }
    }

    fn vertex(&mut self, digest: &str) -> &mut Step {
        if !self.vertices.contains_key(digest) {
            self.order.push(digest.to_string());
        }
        self.vertices.entry(digest.to_string()).or_default()
    }

    /// Whether the step named `name` is known to be cached or to be running.
    pub fn decided(&self, name: &str) -> bool {
        let wanted = squash(name);
        let decided = |s: &&Step| (s.cached || s.started || s.completed) && squash(&s.name) == wanted;
        match self.classic.last() {
            Some(_) => self.classic.iter().any(|s| decided(&s)),
            None => self.vertices.values().any(|s| decided(&s)),
        }
    }

    /// Once the probe's step is decided, whether closing the connection now stops the engine
    /// before it finishes the build. A build that is stopped while every step so far came from
    /// the cache can still be finished by the engine a moment later (the next steps are cache
    /// hits too), which then tags an image after the grader removed the tag; a build that is
    /// doing real work is cancelled during that work (the classic builder checks between steps,
    /// BuildKit cancels the solve).
    ///
    /// `None`: every step so far was a cache hit: read on (hits cost nothing; the build may
    /// simply end). `Some(false)`: a step the cache did not serve has run or is running and
    /// another step of its stage comes after it: stopping is safe. `Some(true)`: the only such
    /// step is the last of its stage, for all the grader knows the build's last: stopping now may
    /// still let the engine tag an image (the cleanup then waits and sweeps again).
    pub fn uncached_work(&self) -> Option<bool> {
        let work = |s: &Step, finished: bool| {
            let step = s.parsed()?;
            let ran = s.started || (finished && !s.cached);
            (ran && !s.cached && !step.instruction.starts_with("FROM ")).then_some(step.number >= step.total)
        };
        let found: Vec<bool> = if self.classic.is_empty() {
            self.order.iter().filter_map(|d| self.vertices.get(d)).filter_map(|s| work(s, false)).collect()
        } else {
            // The classic builder says a step ended, and that it was no cache hit, only by
            // starting the next one.
            let n = self.classic.len();
            self.classic.iter().enumerate().filter_map(|(i, s)| work(s, s.completed || i + 1 < n)).collect()
        };
        if found.is_empty() {
            None
        } else {
            Some(found.iter().all(|&last| last))
        }
    }

    /// A one-line progress message: the step running now. BuildKit announces every step of
    /// the build up front, so the last one announced is usually the Dockerfile's last step, not
    /// the running one: the running one is the last that started and has not completed.
    pub fn current(&self) -> Option<String> {
        if let Some(s) = self.classic.last() {
            return Some(s.name.clone());
        }
        self.order
            .iter()
            .rev()
            .filter_map(|d| self.vertices.get(d))
            .find(|s| s.started && !s.completed && !s.name.is_empty())
            .map(|s| s.name.clone())
    }

    /// The steps so far, in the order the engine first reported them.
    fn steps(&self) -> Vec<&Step> {
        if !self.classic.is_empty() {
            return self.classic.iter().collect();
        }
        self.order.iter().filter_map(|d| self.vertices.get(d)).collect()
    }

    /// `engine_gone`: the error is the connection's, not a message the engine sent.
    pub fn finish(
        mut self,
        builder: Builder,
        error: Option<String>,
        engine_gone: bool,
        duration: Duration,
    ) -> BuildOutcome {
        let mut steps: Vec<Step> = if self.classic.is_empty() {
            merge_twins(self.order.iter().filter_map(|d| self.vertices.remove(d)).collect())
        } else {
            if error.is_none() {
                if let Some(s) = self.classic.last_mut() {
                    s.completed = true;
                }
            }
            self.classic
        };
        let builder = if builder == Builder::Classic { Builder::Classic } else { Builder::BuildKit };
        let failure = error.map(|message| {
            let step = if builder == Builder::Classic {
                steps.len().checked_sub(1)
            } else {
                steps.iter().position(|s| s.error.as_deref().is_some_and(|e| !is_cancellation(e)))
            };
            if builder == Builder::Classic {
                if let Some(i) = step {
                    steps[i].error = Some(message.clone());
                }
            }
            let missing_base = missing_base(&steps, step, &message);
            let infrastructure = infrastructure(&steps, step, &message, engine_gone, missing_base.is_some());
            BuildFailure { message, step, line: None, missing_base, infrastructure }
        });
        BuildOutcome { builder, steps, failure, stopped_early: false, duration }
    }
}

/// Newer BuildKit (Docker 28 here) shares a step with a concurrent build that has the same cache
/// key, and reports the other build's vertex, under its own digest, in this build's progress too:
/// one step, two vertices, e.g. `[build 4/6] RUN go mod download` cached in one and never started
/// in the other. Steps are what the checks judge, so vertices of the same name are merged, in
/// first-seen order: cached, started or completed if either was.
fn merge_twins(vertices: Vec<Step>) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::with_capacity(vertices.len());
    for v in vertices {
        match steps.iter_mut().find(|s| !v.name.is_empty() && s.name == v.name) {
            Some(s) => {
                s.cached |= v.cached;
                s.started |= v.started;
                s.completed |= v.completed;
                if s.error.as_deref().is_none_or(is_cancellation) && v.error.is_some() {
                    s.error = v.error;
                }
                if s.log_tail.is_empty() {
                    s.log_tail = v.log_tail;
                }
            }
            None => steps.push(v),
        }
    }
    steps
}

/// One plain line per step start and finish, with its time: what a log (CI, a pipe) gets
/// instead of the spinner, so it shows where the minutes go.
#[derive(Default)]
pub struct StepLog {
    /// Steps by name: when this log saw them start, and whether their end was told.
    seen: HashMap<String, (Instant, bool)>,
}

impl StepLog {
    /// The lines for what changed since the last call, `now` being the time of this one.
    pub fn update(&mut self, rec: &Recorder, now: Instant) -> Vec<String> {
        let mut lines = Vec::new();
        let classic = !rec.classic.is_empty();
        let steps = rec.steps();
        for (i, s) in steps.iter().enumerate() {
            if s.name.is_empty() {
                continue;
            }
            // The classic builder says a step ended only by starting the next one.
            let completed = s.completed || (classic && i + 1 < steps.len());
            let running = s.started || (classic && !s.cached);
            match self.seen.get_mut(&s.name) {
                None if s.cached && (completed || !classic) => {
                    lines.push(format!("cached   {}", s.name));
                    self.seen.insert(s.name.clone(), (now, true));
                }
                None if completed => {
                    // First seen finished: the engine's own times when it sent them, else none
                    // (the classic builder sends no times).
                    match rec.seconds.get(&s.name) {
                        Some(secs) => lines.push(format!("done     {} ({secs:.1} s)", s.name)),
                        None => lines.push(format!("done     {}", s.name)),
                    }
                    self.seen.insert(s.name.clone(), (now, true));
                }
                None if running => {
                    lines.push(format!("started  {}", s.name));
                    self.seen.insert(s.name.clone(), (now, false));
                }
                Some((began, told)) if !*told && (completed || s.error.is_some()) => {
                    let word = if s.error.is_some() {
                        "failed "
                    } else if s.cached {
                        "cached "
                    } else {
                        "done   "
                    };
                    lines.push(format!("{word}  {} ({:.1} s)", s.name, now.duration_since(*began).as_secs_f64()));
                    *told = true;
                }
                _ => {}
            }
        }
        lines
    }
}

fn push_tail(tail: &mut String, text: &str) {
    tail.push_str(text);
    if tail.len() > LOG_TAIL_BYTES {
        let mut cut = tail.len() - LOG_TAIL_BYTES;
        while !tail.is_char_boundary(cut) {
            cut += 1;
        }
        tail.drain(..cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_stream_is_recorded_as_steps() {
        let mut r = Recorder::default();
        for text in [
            "Step 1/3 : FROM golang:1.27\n",
            " ---> 1234\n",
            "Step 2/3 : COPY go.mod .\n",
            " ---> Using cache\n",
            "Step 3/3 : RUN go build\n",
            " ---> Running in ab\n",
            "main.go:3: syntax error\n",
        ] {
            r.take(BuildInfo { stream: Some(text.into()), ..Default::default() });
        }
        let out = r.finish(
            Builder::Classic,
            Some("The command '/bin/sh -c go build' returned a non-zero code: 1".into()),
            false,
            Duration::ZERO,
        );
        assert_eq!(out.steps.len(), 3);
        assert!(out.steps[1].cached && !out.steps[2].cached);
        assert_eq!(out.steps[0].image.as_deref(), Some("1234"));
        assert_eq!(out.steps[0].committed_image(), None, "a FROM's image is the base, not this build's");
        assert_eq!(out.steps[2].image, None, "the failed step committed nothing");
        let f = out.failure.unwrap();
        assert_eq!(f.step, Some(2));
        assert!(out.steps[2].log_tail.contains("syntax error"));
        assert_eq!(f.missing_base, None);
    }

    #[test]
    fn the_probe_step_is_decided_when_cached_or_started() {
        let mut r = Recorder::default();
        for text in ["Step 1/3 : FROM golang:1.27\n", "Step 2/3 : RUN go mod download\n"] {
            r.take(BuildInfo { stream: Some(text.into()), ..Default::default() });
        }
        let name = "[2/3] RUN go mod download";
        assert!(!r.decided(name));
        r.take(BuildInfo { stream: Some(" ---> Running in 0abc\n".into()), ..Default::default() });
        assert!(r.decided(name));
        assert!(!r.decided("[3/3] RUN go mod download"), "another step with the same command is not this one");
    }

    #[test]
    fn a_probe_stops_only_once_the_engine_is_doing_work_it_can_be_stopped_in() {
        let classic = |lines: &[&str]| {
            let mut r = Recorder::default();
            for text in lines {
                r.take(BuildInfo { stream: Some(text.to_string()), ..Default::default() });
            }
            r.uncached_work()
        };
        let cached_dep =
            ["Step 1/4 : FROM golang\n", " ---> 1234\n", "Step 2/4 : RUN go mod download\n", " ---> Using cache\n"];
        assert_eq!(classic(&cached_dep), None, "all cache hits so far: read on");
        let mut copying = cached_dep.to_vec();
        copying.push("Step 3/4 : COPY . .\n");
        assert_eq!(classic(&copying), None, "a COPY says it was no cache hit only when it ends");
        copying.push(" ---> 5678\n");
        copying.push("Step 4/4 : RUN go build\n");
        assert_eq!(classic(&copying), Some(false), "the COPY was real work, and a step follows it");
        let mut r = Recorder::default();
        for text in &copying {
            r.take(BuildInfo { stream: Some(text.to_string()), ..Default::default() });
        }
        let out = r.finish(Builder::Classic, None, false, Duration::ZERO);
        let committed: Vec<_> = out.steps.iter().filter_map(|s| s.committed_image()).collect();
        assert_eq!(committed, ["5678"], "only the COPY made an image: the dependency step was the cache's");
        let last =
            ["Step 1/2 : FROM golang\n", " ---> 1234\n", "Step 2/2 : RUN go mod download\n", " ---> Running in ab\n"];
        assert_eq!(classic(&last), Some(true), "the running step is the last one");

        let mut r = Recorder::default();
        r.take(vertex("a", "[internal] load remote build context", false, Some(1), Some(2)));
        r.take(vertex("b", "[build 1/6] FROM docker.io/library/golang:1-trixie", false, Some(2), Some(3)));
        r.take(vertex("c", "[build 4/6] RUN go mod download", true, Some(3), Some(3)));
        assert_eq!(r.uncached_work(), None, "internal steps and FROM are no work to stop");
        r.take(vertex("d", "[build 5/6] COPY . .", false, Some(4), None));
        assert_eq!(r.uncached_work(), Some(false));
    }

    /// One BuildKit vertex message; times in milliseconds of the engine's clock.
    fn vertex(digest: &str, name: &str, cached: bool, started: Option<i64>, completed: Option<i64>) -> BuildInfo {
        use bollard::moby::buildkit::v1::{StatusResponse, Vertex};
        let at = |ms: i64| {
            // (protobuf's Timestamp, which bollard does not re-export by name)
            let mut t = Vertex::default().started.unwrap_or_default();
            t.seconds = ms / 1000;
            t.nanos = ((ms % 1000) * 1_000_000) as i32;
            t
        };
        let v = Vertex {
            digest: digest.into(),
            name: name.into(),
            cached,
            started: started.map(at),
            completed: completed.map(at),
            ..Vertex::default()
        };
        BuildInfo {
            aux: Some(BuildInfoAux::BuildKit(StatusResponse { vertexes: vec![v], ..StatusResponse::default() })),
            ..BuildInfo::default()
        }
    }

    #[test]
    fn a_step_shared_with_an_earlier_build_counts_as_cached() {
        // dockerd 20.10, a cold engine, two gradings at once (the messages as recorded): this
        // probe joined `go mod download` while another build still held it, and was sent that
        // step's past progress (ran, not cached, 10 s before this build began), under the other
        // build's name. The step did not run for this build: it is cached.
        let mut r = Recorder::default();
        r.take(vertex("ctx", "[internal] load remote build context", false, Some(62_055), None));
        r.take(vertex("ctx", "[internal] load remote build context", false, Some(62_055), Some(62_112)));
        r.take(vertex("dl", "[build 4/6] RUN go mod download", false, None, None));
        let name = "[build 4/6] RUN go mod download";
        assert!(!r.decided(name));
        r.take(vertex("wd", "[2/4] WORKDIR /src", false, Some(52_009), Some(52_569)));
        r.take(vertex("dl", "[3/5] RUN go mod download", false, Some(52_600), Some(58_000)));
        assert!(r.decided(name), "the past run decides the probe: the result was there before");
        // This build's own steps still count as they are reported.
        r.take(vertex("cp", "[build 5/6] COPY . .", false, Some(62_300), None));
        let out = r.finish(Builder::BuildKit, None, false, Duration::ZERO);
        let dl = out.steps.iter().find(|s| s.name.ends_with("go mod download")).unwrap();
        assert_eq!(dl.name, name, "the build's own name is kept");
        assert!(dl.cached);
        assert!(out.steps.iter().find(|s| s.name.ends_with("WORKDIR /src")).unwrap().cached);
        let copy = out.steps.iter().find(|s| s.name.ends_with("COPY . .")).unwrap();
        assert!(copy.started && !copy.cached);
    }

    #[test]
    fn a_step_running_for_this_build_is_not_cached_and_cached_stays_cached() {
        let mut r = Recorder::default();
        r.take(vertex("ctx", "[internal] load remote build context", false, Some(1_000), Some(1_050)));
        r.take(vertex("dl", "[build 4/6] RUN go mod download", false, Some(1_200), None));
        assert!(r.decided("[build 4/6] RUN go mod download"));
        r.take(vertex("wd", "[build 2/6] WORKDIR /src", true, Some(1_100), Some(1_100)));
        r.take(vertex("wd", "[build 2/6] WORKDIR /src", false, None, None));
        let out = r.finish(Builder::BuildKit, None, false, Duration::ZERO);
        assert!(!out.steps[1].cached && out.steps[1].started);
        assert!(out.steps[2].cached, "a later message without the flag does not undo a cache hit");
    }

    #[test]
    fn twin_vertices_of_one_step_are_merged() {
        // Docker 28.5, three gradings at once: the probe's own vertex never started, its twin
        // (another build's, same cache key) came from the cache.
        let own = Step { name: "[build 4/6] RUN go mod download".into(), ..Step::default() };
        let twin = Step { cached: true, started: true, ..own.clone() };
        let other = Step { name: "[build 3/6] COPY go.mod ./".into(), cached: true, ..Step::default() };
        let steps = merge_twins(vec![own, other.clone(), twin]);
        assert_eq!(steps.len(), 2);
        assert!(steps[0].cached && steps[0].started && steps[0].name.ends_with("go mod download"));
        assert_eq!(steps[1], other);
    }

    #[test]
    fn log_tail_is_bounded_and_keeps_the_end() {
        let mut t = String::new();
        for i in 0..10_000 {
            push_tail(&mut t, &format!("line {i}\n"));
        }
        assert!(t.len() <= LOG_TAIL_BYTES && t.ends_with("line 9999\n"));
    }

    #[test]
    fn the_spinner_shows_the_step_that_runs_not_the_last_announced() {
        // BuildKit announces the whole graph first, then starts steps one by one.
        let mut r = Recorder::default();
        r.take(vertex("b", "[build 5/6] RUN go build -o /out/app .", false, None, None));
        r.take(vertex("c", "[stage-1 2/2] COPY --from=build /out/app /app", false, None, None));
        assert_eq!(r.current(), None, "nothing runs yet");
        r.take(vertex("b", "[build 5/6] RUN go build -o /out/app .", false, Some(1_000), None));
        assert_eq!(r.current().as_deref(), Some("[build 5/6] RUN go build -o /out/app ."));
        r.take(vertex("b", "[build 5/6] RUN go build -o /out/app .", false, Some(1_000), Some(163_000)));
        r.take(vertex("c", "[stage-1 2/2] COPY --from=build /out/app /app", false, Some(163_100), None));
        assert_eq!(r.current().as_deref(), Some("[stage-1 2/2] COPY --from=build /out/app /app"));
    }

    #[test]
    fn the_log_has_a_line_per_start_and_finish_with_the_time() {
        let t0 = Instant::now();
        let mut log = StepLog::default();
        let mut r = Recorder::default();
        r.take(vertex("w", "[build 2/6] WORKDIR /src", true, Some(1_000), Some(1_000)));
        r.take(vertex("b", "[build 5/6] RUN go build -o /out/app .", false, None, None));
        assert_eq!(log.update(&r, t0), ["cached   [build 2/6] WORKDIR /src"]);
        r.take(vertex("b", "[build 5/6] RUN go build -o /out/app .", false, Some(1_100), None));
        assert_eq!(log.update(&r, t0), ["started  [build 5/6] RUN go build -o /out/app ."]);
        assert!(log.update(&r, t0 + Duration::from_secs(5)).is_empty(), "nothing new, nothing said");
        r.take(vertex("b", "[build 5/6] RUN go build -o /out/app .", false, Some(1_100), Some(163_100)));
        assert_eq!(
            log.update(&r, t0 + Duration::from_millis(162_040)),
            ["done     [build 5/6] RUN go build -o /out/app . (162.0 s)"]
        );
    }

    #[test]
    fn the_log_of_the_classic_builder_ends_a_step_when_the_next_starts() {
        let t0 = Instant::now();
        let mut log = StepLog::default();
        let mut r = Recorder::default();
        r.take(BuildInfo { stream: Some("Step 1/2 : RUN go build\n".into()), ..Default::default() });
        assert_eq!(log.update(&r, t0), ["started  [1/2] RUN go build"]);
        r.take(BuildInfo { stream: Some("Step 2/2 : COPY a b\n".into()), ..Default::default() });
        assert_eq!(
            log.update(&r, t0 + Duration::from_secs(3)),
            ["done     [1/2] RUN go build (3.0 s)", "started  [2/2] COPY a b"]
        );
    }

    #[test]
    fn a_step_first_seen_finished_gets_the_engines_time_or_none() {
        let t0 = Instant::now();
        let mut log = StepLog::default();
        let mut r = Recorder::default();
        r.take(vertex("c", "[build 3/6] COPY go.mod ./", false, Some(2_000), Some(2_400)));
        assert_eq!(log.update(&r, t0), ["done     [build 3/6] COPY go.mod ./ (0.4 s)"]);
        let mut log = StepLog::default();
        let mut r = Recorder::default();
        for text in ["Step 1/2 : COPY a b\n", " ---> 12ab\n", "Step 2/2 : CMD x\n"] {
            r.take(BuildInfo { stream: Some(text.into()), ..Default::default() });
        }
        assert_eq!(log.update(&r, t0), ["done     [1/2] COPY a b", "started  [2/2] CMD x"], "no time, never 0.0 s");
    }
}
