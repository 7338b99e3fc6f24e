//! A fixed delay added to one direction of a TCP connection without limiting its throughput:
//! each chunk is stamped when it is read and written when its time comes, while the chunks
//! behind it are already being read. Network latency, not a slow link.
//!
//! tokio's timer counts whole milliseconds and rounds every deadline up to the next one, so
//! a 0.5 ms sleep there lasts 0.5 to 1.5 ms. The deadlines are kept instead by one thread of
//! their own that sleeps on a futex with a timeout (late by about Linux's timer slack, 50 µs
//! by default) and wakes the waiting task.
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc as async_mpsc, oneshot};

/// Chunks read but not yet due; a full line makes the reader wait (backpressure).
const CHUNKS_IN_FLIGHT: usize = 256;
const READ_BUFFER: usize = 16 * 1024;

/// Wakes tasks at deadlines finer than tokio's millisecond; shared by every connection.
#[derive(Debug, Clone)]
pub struct PreciseTimer {
    requests: mpsc::Sender<Wake>,
}

#[derive(Debug)]
struct Wake {
    at: Instant,
    task: oneshot::Sender<()>,
}

// Ordered by deadline alone, latest first, so that the BinaryHeap (a max-heap) pops the
// earliest.
impl PartialEq for Wake {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}
impl Eq for Wake {}
impl PartialOrd for Wake {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Wake {
    fn cmp(&self, other: &Self) -> Ordering {
        other.at.cmp(&self.at)
    }
}

impl PreciseTimer {
    /// Starts the timer thread; it ends when the last clone of the timer is dropped.
    pub fn start() -> PreciseTimer {
        let (requests, incoming) = mpsc::channel::<Wake>();
        std::thread::Builder::new()
            .name("db-proxy-timer".into())
            .spawn(move || {
                let mut due = BinaryHeap::new();
                loop {
                    let now = Instant::now();
                    while due.peek().is_some_and(|next: &Wake| next.at <= now) {
                        if let Some(wake) = due.pop() {
                            // A task that stopped waiting has nothing to wake.
                            let _ = wake.task.send(());
                        }
                    }
                    let next = match due.peek() {
                        Some(next) => incoming.recv_timeout(next.at.saturating_duration_since(now)),
                        None => incoming.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    match next {
                        Ok(wake) => due.push(wake),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            })
            .expect("the proxy's timer thread");
        PreciseTimer { requests }
    }

    pub async fn sleep_until(&self, at: Instant) {
        if at <= Instant::now() {
            return;
        }
        let (task, woken) = oneshot::channel();
        if self.requests.send(Wake { at, task }).is_ok() {
            // An error means the timer thread is gone: go on rather than hang.
            let _ = woken.await;
        }
    }
}

/// Carries `from` to `to`, `delay` later, showing every chunk to `observe` as it is read.
/// Ends (closing `to`'s direction) when `from` ends or either side fails.
pub async fn carry_delayed(
    from: OwnedReadHalf,
    to: OwnedWriteHalf,
    delay: Duration,
    timer: PreciseTimer,
    observe: impl FnMut(&[u8]) + Send + 'static,
) {
    let (line, arriving) = async_mpsc::channel(CHUNKS_IN_FLIGHT);
    let reading = tokio::spawn(read_stamped(from, line, delay, observe));
    write_when_due(arriving, to, timer).await;
    reading.abort();
}

async fn read_stamped(
    from: OwnedReadHalf,
    line: async_mpsc::Sender<(Instant, Vec<u8>)>,
    delay: Duration,
    mut observe: impl FnMut(&[u8]),
) {
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        if from.readable().await.is_err() {
            return;
        }
        let read = match from.try_read(&mut buffer) {
            Ok(0) => return,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        };
        let chunk = buffer.get(..read).unwrap_or_default();
        observe(chunk);
        if line
            .send((Instant::now() + delay, chunk.to_vec()))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Dropping `to` at the end shuts down its direction, passing the end of stream on.
async fn write_when_due(
    mut arriving: async_mpsc::Receiver<(Instant, Vec<u8>)>,
    to: OwnedWriteHalf,
    timer: PreciseTimer,
) {
    while let Some((due, chunk)) = arriving.recv().await {
        timer.sleep_until(due).await;
        if write_all(&to, &chunk).await.is_err() {
            return;
        }
    }
}

/// Without tokio's io-util: the socket's own readiness and non-blocking writes.
async fn write_all(to: &OwnedWriteHalf, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        to.writable().await?;
        match to.try_write(bytes) {
            Ok(written) => bytes = bytes.split_at(written).1,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
