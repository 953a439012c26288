//! What runs left behind: every container and image carrying the grader's run label, grouped by
//! run, with whether the run that made it is gone (its process is dead, or it is over a day
//! old). `grader clean` removes the objects of dead runs; every command sweeps the day-old ones
//! that killed runs (SIGKILL, a crashed runner) could not remove. Only objects with the
//! grader's own label are ever listed, so nothing of the user's is touched.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::models::ImageSummary;
use bollard::query_parameters::{ListContainersOptionsBuilder, ListImagesOptionsBuilder, RemoveImageOptionsBuilder};

use super::{Engine, OWNER_LABEL, OWNER_LABEL_BEFORE, RUN_LABEL};

/// Objects older than this are swept by every command, whatever their owner.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Objects without an owner (made by an older grader) count as a dead run's after this.
pub const UNOWNED_AFTER: Duration = Duration::from_secs(3600);

/// One object a run left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub kind: LeftoverKind,
    /// Container id, or image id.
    pub id: String,
    /// The names shown for it (container name, image tags).
    pub names: Vec<String>,
    pub run: String,
    /// `<pid>@<host>`, when the grader that made it recorded one.
    pub owner: Option<String>,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftoverKind {
    Container,
    Image,
}

/// Whether a run is still going, from what its objects say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Its process runs on this host: never touched.
    Alive,
    /// Its process is gone (or, made by an older grader that recorded none, it is over an hour
    /// old): `grader clean` removes it.
    Dead,
    /// Over a day old: every command removes it.
    Stale,
}

/// `<pid>@<host>` of this process.
pub fn this_process() -> String {
    format!("{}@{}", std::process::id(), hostname())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether a process id runs on this machine; `None` where the grader cannot tell.
fn process_alive(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") {
        Some(std::path::Path::new("/proc").join(pid.to_string()).exists())
    } else {
        None
    }
}

/// The state of the run that made `leftover`, at `now` (seconds since the epoch). Pure but for
/// the process check, which `alive` answers.
pub fn run_state(leftover: &Leftover, now: i64, host: &str, alive: impl Fn(u32) -> Option<bool>) -> RunState {
    if now.saturating_sub(leftover.created) > STALE_AFTER.as_secs() as i64 {
        return RunState::Stale;
    }
    let Some((pid, owner_host)) = leftover.owner.as_deref().and_then(|o| o.split_once('@')) else {
        // An older grader recorded no owner: gone once older than any grading lasts.
        return if now.saturating_sub(leftover.created) > UNOWNED_AFTER.as_secs() as i64 {
            RunState::Dead
        } else {
            RunState::Alive
        };
    };
    if owner_host != host {
        // Another machine's run sharing this engine: only its age can say it is gone.
        return RunState::Alive;
    }
    match pid.parse().ok().map(&alive) {
        Some(Some(false)) => RunState::Dead,
        _ => RunState::Alive,
    }
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Engine {
    /// Every object carrying the run label, with the state of its run.
    pub async fn leftovers(&self) -> anyhow::Result<Vec<(Leftover, RunState)>> {
        let label = |labels: &HashMap<String, String>, key: &str| labels.get(key).cloned();
        let owner =
            |labels: &HashMap<String, String>| label(labels, OWNER_LABEL).or_else(|| label(labels, OWNER_LABEL_BEFORE));
        let mut found = Vec::new();
        let filters: HashMap<String, Vec<String>> = [("label".to_string(), vec![RUN_LABEL.to_string()])].into();
        let opts = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        for c in self.docker.list_containers(Some(opts)).await? {
            let labels = c.labels.unwrap_or_default();
            found.push(Leftover {
                kind: LeftoverKind::Container,
                id: c.id.unwrap_or_default(),
                names: c.names.unwrap_or_default().into_iter().map(|n| n.trim_start_matches('/').to_string()).collect(),
                run: label(&labels, RUN_LABEL).unwrap_or_default(),
                owner: owner(&labels),
                created: c.created.unwrap_or(0),
            });
        }
        for i in self.labelled_images(RUN_LABEL).await {
            found.push(Leftover {
                kind: LeftoverKind::Image,
                run: label(&i.labels, RUN_LABEL).unwrap_or_default(),
                owner: owner(&i.labels),
                names: i.repo_tags.clone(),
                id: i.id,
                created: i.created,
            });
        }
        let (now, host) = (now(), hostname());
        Ok(found
            .into_iter()
            .map(|l| {
                let state = run_state(&l, now, &host, process_alive);
                (l, state)
            })
            .collect())
    }

    /// Removes one leftover: a container with its volumes; an image by its `grader/` tags only
    /// (a tag the user added keeps the image), by id when it has no tag at all.
    pub async fn remove_leftover(&self, leftover: &Leftover) {
        match leftover.kind {
            LeftoverKind::Container => self.remove_container(&leftover.id).await,
            LeftoverKind::Image => {
                let summary =
                    ImageSummary { id: leftover.id.clone(), repo_tags: leftover.names.clone(), ..Default::default() };
                self.remove_leftover_image(&summary).await
            }
        }
    }

    /// Images whose labels match `filter` (`key` or `key=value`).
    pub(crate) async fn labelled_images(&self, filter: &str) -> Vec<ImageSummary> {
        let filters: HashMap<String, Vec<String>> = [("label".to_string(), vec![filter.to_string()])].into();
        let opts = ListImagesOptionsBuilder::default().all(true).filters(&filters).build();
        self.docker.list_images(Some(opts)).await.unwrap_or_default()
    }

    pub(crate) async fn remove_leftover_image(&self, image: &ImageSummary) {
        let ours: Vec<&String> = image.repo_tags.iter().filter(|t| t.starts_with("grader/")).collect();
        let untagged = image.repo_tags.iter().all(|t| t == "<none>:<none>");
        if ours.is_empty() && !untagged {
            return;
        }
        let opts = RemoveImageOptionsBuilder::default().force(!ours.is_empty()).noprune(self.containerd_store).build();
        if untagged {
            let _ = self.docker.remove_image(&image.id, Some(opts), None).await;
        }
        for tag in ours {
            self.remove_image(tag).await;
        }
    }

    /// Removes what runs over a day old left (their process was killed before it could).
    pub async fn sweep_stale(&self) {
        if let Ok(found) = self.leftovers().await {
            for (l, state) in found {
                if state == RunState::Stale && l.run != self.run_id {
                    self.remove_leftover(&l).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftover(owner: Option<&str>, created: i64) -> Leftover {
        Leftover {
            kind: LeftoverKind::Image,
            id: "sha256:1".into(),
            names: vec!["grader/ex1:0123456789abcdef-main".into()],
            run: "0123456789abcdef".into(),
            owner: owner.map(str::to_string),
            created,
        }
    }

    #[test]
    fn a_run_is_dead_when_its_process_on_this_host_is_gone_and_stale_after_a_day() {
        let now = 10 * 86_400;
        let alive = |pid: u32| Some(pid == 42);
        assert_eq!(run_state(&leftover(Some("42@box"), now - 60), now, "box", alive), RunState::Alive);
        assert_eq!(run_state(&leftover(Some("43@box"), now - 60), now, "box", alive), RunState::Dead);
        // Another machine's run: alive until it is a day old.
        assert_eq!(run_state(&leftover(Some("43@other"), now - 60), now, "box", alive), RunState::Alive);
        assert_eq!(run_state(&leftover(Some("43@other"), now - 86_401), now, "box", alive), RunState::Stale);
        assert_eq!(run_state(&leftover(Some("42@box"), now - 86_401), now, "box", alive), RunState::Stale);
        // An older grader recorded no owner: dead for `grader clean` after an hour.
        assert_eq!(run_state(&leftover(None, now - 60), now, "box", alive), RunState::Alive);
        assert_eq!(run_state(&leftover(None, now - 3601), now, "box", alive), RunState::Dead);
        // Where the grader cannot tell whether a process runs, it is left alone.
        assert_eq!(run_state(&leftover(Some("43@box"), now - 60), now, "box", |_| None), RunState::Alive);
    }
}
