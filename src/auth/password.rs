//! argon2id password and client-secret hashing (OWASP parameters: m=19456 KiB, t=2, p=1).
//! Hashing runs on the blocking pool behind a semaphore, so a login flood is limited to a
//! fixed number of cores and cannot starve the async workers serving /token and the rest.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
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
    match parse_phc(phc) {
        Ok(parsed) => Argon2::default().verify_password(secret, &parsed).is_ok(),
        Err(_) => false,
    }
}

/// The server's bounded argon2 pool: `slots` hashes run at once (each on a blocking thread,
/// ~19 MiB each), at most `queue` more wait; anything beyond is refused at once.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Hashes running or waiting for a slot.
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

impl PasswordHasher {
    /// `concurrency` hashes at most run at once (0: one per CPU core); `queue` more may wait
    /// (0: four per slot).
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let slots = if concurrency == 0 { cores } else { concurrency };
        let queue = if queue == 0 { 4 * slots } else { queue };
        Self {
            permits: Arc::new(Semaphore::new(slots)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: slots + queue,
        }
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
        self.run(move || match phc {
            Some(phc) => verify_blocking(secret.as_bytes(), &phc),
            None => {
                let _ = verify_blocking(secret.as_bytes(), DUMMY_HASH);
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let admitted = self.admitted.fetch_add(1, Ordering::SeqCst);
        let _admission = Admission(&self.admitted);
        if admitted >= self.capacity {
            return Err(PasswordError::Overloaded);
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Unavailable)?;
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
