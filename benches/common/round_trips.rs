//! Round trips on the PostgreSQL wire per operation, from operations made one at a time on a
//! still wire (`DbProxy::count`): exact where the measured window's average
//! (round trips in the window / operations) also holds the operations straddling its edges,
//! and able to tell the requests of one operation apart (W3's /authorize and /token). The
//! median of several is reported, so that a background statement (the outbox poll every
//! 5 s) landing in one count does not move it.
use serde_json::{Value, json};

use super::pg_wire::WireSnapshot;

/// Counts of one step, each from one operation.
pub struct Tally {
    pub label: &'static str,
    samples: Vec<WireSnapshot>,
}

impl Tally {
    pub fn new(label: &'static str) -> Tally {
        Tally {
            label,
            samples: Vec::new(),
        }
    }

    pub fn add(&mut self, sample: WireSnapshot) {
        self.samples.push(sample);
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Each counter's median (the upper one of an even count).
    pub fn median(&self) -> WireSnapshot {
        let of = |field: fn(&WireSnapshot) -> u64| {
            let mut values: Vec<u64> = self.samples.iter().map(field).collect();
            values.sort_unstable();
            values.get(values.len() / 2).copied().unwrap_or(0)
        };
        WireSnapshot {
            round_trips: of(|s| s.round_trips),
            pings: of(|s| s.pings),
            statements: of(|s| s.statements),
            prepares: of(|s| s.prepares),
            sessions: of(|s| s.sessions),
            unreadable: of(|s| s.unreadable),
        }
    }

    /// The fewest and the most round trips seen.
    pub fn range(&self) -> (u64, u64) {
        let trips = self.samples.iter().map(|s| s.round_trips);
        (trips.clone().min().unwrap_or(0), trips.max().unwrap_or(0))
    }

    pub fn print_header() {
        println!(
            "{:<38} {:>11} {:>6} {:>10} {:>8}  range (n)",
            "operation (one at a time)", "round trips", "pings", "statements", "prepares",
        );
    }

    pub fn print_row(&self) {
        let median = self.median();
        let (fewest, most) = self.range();
        println!(
            "{:<38} {:>11} {:>6} {:>10} {:>8}  {fewest}–{most} ({})",
            self.label,
            median.round_trips,
            median.pings,
            median.statements,
            median.prepares,
            self.samples.len(),
        );
    }

    pub fn to_json(&self) -> Value {
        let median = self.median();
        let (fewest, most) = self.range();
        json!({
            "operation": self.label,
            "samples": self.samples.len(),
            "round_trips": median.round_trips,
            "pings": median.pings,
            "statements": median.statements,
            "prepares": median.prepares,
            "round_trips_min": fewest,
            "round_trips_max": most,
        })
    }
}
