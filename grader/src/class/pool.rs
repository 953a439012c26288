//! The engine pool: the engines a class run grades on, each with its own number of gradings at
//! once. A grading takes a lease on the engine with the most free room; an engine that stopped
//! answering is marked down and given no more work, and the grading it failed is tried once more
//! on another engine (`avoid`).
//!
//! Each engine is connected once, by `Engine::connect_at(address)`: the one place where an
//! address becomes a client. The `engines` work (TLS, ssh, docker contexts) plugs in there;
//! nothing here parses addresses. Each grading then takes a `new_run` of the engine.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::engine::Engine;

pub struct Pool {
    engines: Vec<Slot>,
    freed: Notify,
}

struct Slot {
    address: String,
    room: Arc<Semaphore>,
    down: AtomicBool,
    /// The connection, made once (`connect`); each grading takes a `new_run` of it.
    engine: std::sync::OnceLock<Engine>,
}

/// The right to run one grading on one engine; the room goes back when it is dropped.
pub struct Lease<'a> {
    pool: &'a Pool,
    pub index: usize,
    _permit: OwnedSemaphorePermit,
}

impl Lease<'_> {
    pub fn address(&self) -> &str {
        &self.pool.engines[self.index].address
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        // The permit is released after this body; a waiter woken now retries and finds it, or
        // waits for the next release (the Notified future is registered before it looks).
        self.pool.freed.notify_waiters();
    }
}

impl Pool {
    /// `per_engine` gradings at once on each engine (at least one).
    pub fn new(addresses: &[String], per_engine: usize) -> Pool {
        let engines = addresses
            .iter()
            .map(|a| Slot {
                address: a.clone(),
                room: Arc::new(Semaphore::new(per_engine.max(1))),
                down: false.into(),
                engine: Default::default(),
            })
            .collect();
        Pool { engines, freed: Notify::new() }
    }

    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.engines.iter().map(|s| s.address.as_str())
    }

    /// A lease on the engine with the most free room, not `avoid` and not down; waits while all
    /// of them are busy. `None` when no such engine is left.
    pub async fn acquire(&self, avoid: Option<usize>) -> Option<Lease<'_>> {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            let mut usable: Vec<usize> = (0..self.engines.len())
                .filter(|&i| Some(i) != avoid && !self.engines[i].down.load(Ordering::Relaxed))
                .collect();
            if usable.is_empty() {
                return None;
            }
            usable.sort_by_key(|&i| std::cmp::Reverse(self.engines[i].room.available_permits()));
            for i in usable {
                if let Ok(permit) = self.engines[i].room.clone().try_acquire_owned() {
                    return Some(Lease { pool: self, index: i, _permit: permit });
                }
            }
            freed.await;
        }
    }

    /// Gives an engine no more work; wakes the waiters, which may now have none left.
    pub fn mark_down(&self, index: usize) {
        self.engines[index].down.store(true, Ordering::Relaxed);
        self.freed.notify_waiters();
    }

    /// Connects to every engine once (`Engine::connect_at`); an engine that does not answer is
    /// marked down. Returns the errors by address.
    pub async fn connect(&self) -> Vec<(String, anyhow::Error)> {
        let mut errors = Vec::new();
        for (i, slot) in self.engines.iter().enumerate() {
            match Engine::connect_at(&slot.address).await {
                Ok(engine) => {
                    let _ = slot.engine.set(engine);
                }
                Err(e) => {
                    self.mark_down(i);
                    errors.push((slot.address.clone(), e));
                }
            }
        }
        errors
    }

    /// The connected engine of a slot (after `connect`).
    pub fn engine(&self, index: usize) -> Option<&Engine> {
        self.engines[index].engine.get()
    }

    pub fn is_down(&self, index: usize) -> bool {
        self.engines[index].down.load(Ordering::Relaxed)
    }
}

/// Whether an engine still answers (a ping within 10 s): after a grading failed, this tells an
/// engine that failed from a submission whose grading failed on a healthy engine.
pub async fn answers(engine: &Engine) -> bool {
    matches!(tokio::time::timeout(Duration::from_secs(10), engine.docker.ping()).await, Ok(Ok(_)))
}

#[cfg(test)]
mod tests {
    use super::Pool;

    #[tokio::test]
    async fn leases_spread_over_engines_wait_for_room_and_avoid_the_one_that_failed() {
        let pool = Pool::new(&["a".into(), "b".into()], 1);
        let first = pool.acquire(None).await.unwrap();
        let second = pool.acquire(None).await.unwrap();
        assert_ne!(first.index, second.index, "the engine with room is chosen");
        let waiting = pool.acquire(None);
        tokio::pin!(waiting);
        assert!(futures_util::poll!(waiting.as_mut()).is_pending(), "both engines are busy");
        let freed = first.index;
        drop(first);
        assert_eq!(waiting.await.unwrap().index, freed);
        drop(second);
        assert_eq!(pool.acquire(Some(0)).await.unwrap().index, 1, "a retry avoids the engine that failed");
        pool.mark_down(1);
        assert!(pool.is_down(1));
        assert!(pool.acquire(Some(0)).await.is_none(), "no engine but the avoided one is up");
        assert_eq!(pool.acquire(None).await.unwrap().index, 0);
    }
}
