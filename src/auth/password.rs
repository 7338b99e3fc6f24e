//! argon2id password and client-secret hashing (OWASP parameters: m=19456 KiB, t=2, p=1).
//! Hashing runs on the blocking pool behind a semaphore, so a login flood is limited to a
//! fixed number of cores and cannot starve the async workers serving /token and the rest.
//! Each slot owns one 19 MiB argon2 work area, reused for every hash: a flood allocates
//! nothing, so the allocator has nothing to keep (measured in docs/performance.md).
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use argon2::password_hash::PasswordHasher as _;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// Verified against when the account does not exist, so unknown and known emails take the
/// same time. Same parameters as real hashes; the password behind it is irrelevant.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$dGVzc2VyYS1kdW1teS1zYWx0$wxEBDxOVR3A/bYIKvSFXCcTQVmGEG9y8OMYhqfovHXU";

#[derive(Debug)]
pub enum PasswordError {
    /// The hashing pool is gone (shutting down) or a hash task failed.
    Unavailable,
    /// Every slot is busy and the queue is full: answer 503 rather than wait without bound.
    Overloaded,
    Hash(String),
}

impl std::fmt::Display for PasswordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable => f.write_str("password hashing is unavailable"),
            Self::Overloaded => f.write_str("password hashing is overloaded"),
            Self::Hash(e) => write!(f, "password hashing failed: {e}"),
        }
    }
}

impl std::error::Error for PasswordError {}

/// Parses a PHC string and checks it is argon2id.
pub fn parse_phc(phc: &str) -> Result<PasswordHash, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(|e| PasswordError::Hash(e.to_string()))?;
    if parsed.algorithm.as_str() != "argon2id" {
        return Err(PasswordError::Hash("not argon2id".into()));
    }
    Ok(parsed)
}

/// Hashes on the current thread. For the CLI; the server uses [`PasswordHasher`].
pub fn hash_blocking(secret: &[u8]) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(secret)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Verifies on the current thread. An unparsable hash never verifies.
pub fn verify_blocking(secret: &[u8], phc: &str) -> bool {
    verify_with_memory(secret, phc, &mut Vec::new())
}

/// Verifies using (and growing, if needed) `memory` as argon2's work area, so repeated
/// verifications on one slot reuse one allocation.
fn verify_with_memory(secret: &[u8], phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = parse_phc(phc) else {
        return false;
    };
    let (Some(salt), Some(expected), Ok(params)) =
        (&parsed.salt, &parsed.hash, Params::try_from(&parsed))
    else {
        return false;
    };
    let Some(version) = parsed
        .version
        .map_or(Some(Version::V0x13), |v| Version::try_from(v).ok())
    else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let Some(work_area) = memory.get_mut(..blocks) else {
        return false;
    };
    let mut computed = vec![0u8; expected.len()];
    let argon2 = Argon2::new(Algorithm::Argon2id, version, params);
    if argon2
        .hash_password_into_with_memory(secret, salt.as_ref(), &mut computed, work_area)
        .is_err()
    {
        return false;
    }
    computed.ct_eq(expected.as_bytes()).into()
}

/// The server's bounded argon2 pool: `slots` hashes run at once (each on a blocking thread,
/// ~19 MiB each), at most `queue` more wait; anything beyond is refused at once.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// One argon2 work area per slot, taken for a hash and put back after.
    work_areas: Arc<Mutex<Vec<Vec<Block>>>>,
    /// Hashes running or waiting for a slot.
    admitted: Arc<AtomicUsize>,
    capacity: usize,
    /// Verifications run so far (each one a guess evaluated), for metrics and tests.
    verified: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// `concurrency` hashes at most run at once (0: cores - 1, at least 1); `queue` more may wait
    /// (0: four per slot).
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        // By default one core stays free for the async workers serving every other endpoint.
        let slots = if concurrency == 0 {
            cores.saturating_sub(1).max(1)
        } else {
            concurrency
        };
        let queue = if queue == 0 { 4 * slots } else { queue };
        Self {
            permits: Arc::new(Semaphore::new(slots)),
            work_areas: Arc::new(Mutex::new(Vec::with_capacity(slots))),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: slots + queue,
            verified: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many verifications have run (started argon2) since start.
    pub fn verifications(&self) -> u64 {
        self.verified.load(Ordering::SeqCst)
    }

    /// Hashes running or queued right now.
    pub fn in_flight(&self) -> usize {
        self.admitted.load(Ordering::SeqCst)
    }

    pub async fn hash(&self, secret: Zeroizing<String>) -> Result<String, PasswordError> {
        self.run(move || hash_blocking(secret.as_bytes())).await?
    }

    /// Verifies `secret` against `phc`, or against a dummy hash when `phc` is `None`
    /// (unknown account), in which case the answer is always false.
    pub async fn verify(
        &self,
        secret: Zeroizing<String>,
        phc: Option<String>,
    ) -> Result<bool, PasswordError> {
        let work_areas = self.work_areas.clone();
        let verified = self.verified.clone();
        self.run(move || {
            verified.fetch_add(1, Ordering::SeqCst);
            // The semaphore guarantees a free work area; an empty pool just means first use.
            let mut memory = work_areas
                .lock()
                .ok()
                .and_then(|mut pool| pool.pop())
                .unwrap_or_default();
            let verified = match &phc {
                Some(phc) => verify_with_memory(secret.as_bytes(), phc, &mut memory),
                None => {
                    let _ = verify_with_memory(secret.as_bytes(), DUMMY_HASH, &mut memory);
                    false
                }
            };
            if let Ok(mut pool) = work_areas.lock() {
                pool.push(memory);
            }
            verified
        })
        .await
    }

    /// True when a new hash would be refused: callers can shed load before doing any
    /// other work for a request that cannot be served.
    pub fn is_saturated(&self) -> bool {
        self.in_flight() >= self.capacity
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let admitted = self.admitted.fetch_add(1, Ordering::SeqCst);
        let _admission = Admission(&self.admitted);
        if admitted >= self.capacity {
            crate::observe::argon2_shed();
            return Err(PasswordError::Overloaded);
        }
        let queued = std::time::Instant::now();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Unavailable)?;
        crate::observe::argon2_waited(queued.elapsed());
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| PasswordError::Unavailable)
    }
}

/// Gives the admission back however `run` ends (including a dropped request future).
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_hash_is_a_valid_argon2id_hash_with_default_cost() {
        let parsed = parse_phc(DUMMY_HASH).unwrap();
        let real = hash_blocking(b"x").unwrap();
        let real = parse_phc(&real).unwrap();
        assert_eq!(parsed.params.to_string(), real.params.to_string());
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = PasswordHasher::new(1, 1);
        let hash = hasher
            .hash(Zeroizing::new("correct horse".into()))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify(Zeroizing::new("correct horse".into()), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(Zeroizing::new("wrong".into()), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(Zeroizing::new("x".into()), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let hasher = PasswordHasher::new(1, 1);
        let running = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.verify(Zeroizing::new("a".into()), None).await })
        };
        let queued = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.verify(Zeroizing::new("b".into()), None).await })
        };
        while hasher.in_flight() < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            hasher.verify(Zeroizing::new("c".into()), None).await,
            Err(PasswordError::Overloaded)
        ));
        assert!(running.await.unwrap().is_ok());
        assert!(queued.await.unwrap().is_ok());
        assert_eq!(hasher.in_flight(), 0);
    }
}
