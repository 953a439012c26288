//! A blocking reader over one of the engine's byte streams (the image export), for readers that
//! are not async (the tar crate). The stream is read by a task on the runtime, which hands its
//! chunks to the reading thread in batches of at least [`BATCH_BYTES`].
//!
//! Why batches: the engine's chunked body arrives in pieces of about 32 KiB, and a reader that
//! asks the runtime for each piece in turn (tokio's `SyncIoBridge`) wakes one thread from the
//! other for every piece: ~48,000 futex calls for the 700 MB golang image, and a scan ~15 %
//! slower than `docker save > /dev/null`. A batch wakes the reader once per 256 KiB.
//!
//! Memory stays bounded: at most [`QUEUED_BATCHES`] batches wait, so the reading thread's pace
//! holds the engine back (the socket fills) rather than the grader's memory growing.

use std::collections::VecDeque;
use std::io::{self, Read};

use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A batch is handed over once it holds this much.
pub const BATCH_BYTES: usize = 256 << 10;
/// Batches that may wait for the reader (in bytes: about 1 MiB).
const QUEUED_BATCHES: usize = 4;

/// The reading end: a blocking [`Read`], to be used off the runtime (in `spawn_blocking`).
pub struct BatchedReader {
    batches: mpsc::Receiver<io::Result<Vec<Bytes>>>,
    current: VecDeque<Bytes>,
}

/// Stops the task that reads the stream when dropped, so a timed-out or failed read closes the
/// engine's connection, and the reader then sees the stream end.
pub struct Pump(JoinHandle<()>);

impl Drop for Pump {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts reading `stream` on the current runtime. Keep the [`Pump`] alive while the reader is
/// used: dropping it stops the stream, and the reader then returns end of file.
pub fn read<S>(stream: S) -> (BatchedReader, Pump)
where
    S: Stream<Item = io::Result<Bytes>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(QUEUED_BATCHES);
    let pump = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        let mut batch = Vec::new();
        let mut held = 0;
        while let Some(item) = stream.next().await {
            match item {
                Ok(chunk) => {
                    held += chunk.len();
                    batch.push(chunk);
                    if held >= BATCH_BYTES {
                        held = 0;
                        if tx.send(Ok(std::mem::take(&mut batch))).await.is_err() {
                            return; // the reader stopped reading
                        }
                    }
                }
                Err(e) => {
                    if !batch.is_empty() && tx.send(Ok(std::mem::take(&mut batch))).await.is_err() {
                        return;
                    }
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(Ok(batch)).await;
        }
    });
    (BatchedReader { batches: rx, current: VecDeque::new() }, Pump(pump))
}

impl Read for BatchedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(front) = self.current.front_mut() {
                if front.is_empty() {
                    self.current.pop_front();
                    continue;
                }
                let n = front.len().min(buf.len());
                buf[..n].copy_from_slice(&front[..n]);
                front.advance(n);
                return Ok(n);
            }
            match self.batches.blocking_recv() {
                Some(Ok(batch)) => self.current = batch.into(),
                Some(Err(e)) => return Err(e),
                // The stream ended (or its pump was stopped).
                None => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(sizes: &[usize]) -> Vec<io::Result<Bytes>> {
        let mut next = 0u8;
        sizes
            .iter()
            .map(|&n| {
                let v: Vec<u8> = (0..n)
                    .map(|_| {
                        next = next.wrapping_add(1);
                        next
                    })
                    .collect();
                Ok(Bytes::from(v))
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_reader_sees_every_byte_in_order_across_batches() {
        let sizes = [1, 32 << 10, 0, 300 << 10, 7, BATCH_BYTES, 5];
        let want: Vec<u8> = chunks(&sizes).into_iter().flat_map(|c| c.unwrap().to_vec()).collect();
        let (mut reader, pump) = read(futures_util::stream::iter(chunks(&sizes)));
        let got = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            // Odd-sized reads, as a tar reader makes (headers of 512 bytes).
            let mut buf = [0u8; 513];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    return out;
                }
                out.extend_from_slice(&buf[..n]);
            }
        })
        .await
        .unwrap();
        drop(pump);
        assert_eq!(got.len(), want.len());
        assert!(got == want, "bytes differ");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_error_comes_after_the_bytes_before_it() {
        let mut items = chunks(&[1000]);
        items.push(Err(io::Error::other("engine went away")));
        let (mut reader, _pump) = read(futures_util::stream::iter(items));
        let (bytes, err) = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            let err = reader.read_to_end(&mut out).unwrap_err();
            (out.len(), err.to_string())
        })
        .await
        .unwrap();
        assert_eq!(bytes, 1000);
        assert_eq!(err, "engine went away");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_pump_ends_a_stream_that_never_ends() {
        let (mut reader, pump) = read(futures_util::stream::pending::<io::Result<Bytes>>());
        let read = tokio::task::spawn_blocking(move || reader.read(&mut [0u8; 16]).unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        drop(pump);
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), read).await.expect("reader woke").unwrap();
        assert_eq!(n, 0);
    }
}
