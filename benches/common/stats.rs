//! Environment knobs and latency percentiles.
use std::time::Duration;

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn env_secs(name: &str, default: f64) -> Duration {
    Duration::from_secs_f64(env_f64(name, default).max(0.0))
}

/// Where to write the JSON report: JSON_OUT, or `target/<default_name>` in the package.
pub fn json_out(default_name: &str) -> std::path::PathBuf {
    match std::env::var("JSON_OUT") {
        Ok(path) if !path.is_empty() => path.into(),
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join(default_name),
    }
}

pub fn write_json(path: &std::path::Path, value: &serde_json::Value) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    match std::fs::write(path, serde_json::to_string_pretty(value).unwrap()) {
        Ok(()) => println!("JSON written to {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}

/// Latencies in microseconds; sorted on demand.
#[derive(Debug, Default, Clone)]
pub struct Latencies(Vec<u32>);

impl Latencies {
    pub fn record(&mut self, latency: Duration) {
        self.0
            .push(latency.as_micros().try_into().unwrap_or(u32::MAX));
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The p-quantile (0..=1) in milliseconds, nearest rank; 0 when empty.
    pub fn percentile_ms(&mut self, p: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        self.0.sort_unstable();
        let index = ((self.0.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.0[index.min(self.0.len() - 1)]) / 1000.0
    }
}

/// Wall-clock seconds since the Unix epoch (for JWT `exp` checks and the signing claims).
pub fn unix_now() -> i64 {
    use tessera::clock::Clock;
    tessera::clock::SystemClock.now()
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
