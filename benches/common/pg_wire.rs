//! What a PostgreSQL client asks of its server, counted from the frontend half of the wire
//! protocol (PostgreSQL docs, "Frontend/Backend Protocol", "Message Formats"). A client waits
//! for the server at each Sync (the end of an extended-protocol batch) and each simple Query,
//! so those are the round trips; what the batch before a Sync held says what the trip was for.
use std::sync::atomic::{AtomicU64, Ordering};

/// The untyped first message asking for TLS; the server answers one byte, `N` (go on in
/// plain text, with an untyped StartupMessage next) or `S` (TLS follows).
const SSL_REQUEST: u32 = 80_877_103;
/// The same for GSSAPI encryption.
const GSSENC_REQUEST: u32 = 80_877_104;
/// A StartupMessage's code is the protocol version, major in the high 16 bits (3.0, 3.2).
const PROTOCOL_MAJOR_3: u32 = 3;
/// PostgreSQL refuses longer startup packets (MAX_STARTUP_PACKET_LENGTH), so a longer one
/// means the bytes are not a startup message at all (TLS after an `S`).
const MAX_STARTUP_LENGTH: u32 = 10_000;

/// Counters shared by every connection of a proxy; read them with [`WireCounts::snapshot`].
#[derive(Debug, Default)]
pub struct WireCounts {
    round_trips: AtomicU64,
    pings: AtomicU64,
    statements: AtomicU64,
    prepares: AtomicU64,
    sessions: AtomicU64,
    unreadable: AtomicU64,
}

/// The counters at one moment; subtract two with [`WireSnapshot::since`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WireSnapshot {
    /// Each Sync and each simple Query: the client then waits for ReadyForQuery.
    pub round_trips: u64,
    /// Round trips that were a bare Sync, asking nothing: sqlx's `ping`, which its pool
    /// sends before handing out a connection (`test_before_acquire`) and after taking it back.
    pub pings: u64,
    /// Statements run: each Execute of the extended protocol and each simple Query
    /// (sqlx sends BEGIN, COMMIT and ROLLBACK as simple queries).
    pub statements: u64,
    /// Round trips that ran nothing but named or described a statement (Parse/Describe):
    /// sqlx preparing a statement the first time a connection sees it.
    pub prepares: u64,
    /// Connections that sent a StartupMessage.
    pub sessions: u64,
    /// Connections whose stream could not be followed (TLS, or not PostgreSQL): their
    /// round trips are missing from the counts.
    pub unreadable: u64,
}

impl WireSnapshot {
    pub fn since(self, earlier: WireSnapshot) -> WireSnapshot {
        WireSnapshot {
            round_trips: self.round_trips.saturating_sub(earlier.round_trips),
            pings: self.pings.saturating_sub(earlier.pings),
            statements: self.statements.saturating_sub(earlier.statements),
            prepares: self.prepares.saturating_sub(earlier.prepares),
            sessions: self.sessions.saturating_sub(earlier.sessions),
            unreadable: self.unreadable.saturating_sub(earlier.unreadable),
        }
    }

    pub fn plus(self, other: WireSnapshot) -> WireSnapshot {
        WireSnapshot {
            round_trips: self.round_trips + other.round_trips,
            pings: self.pings + other.pings,
            statements: self.statements + other.statements,
            prepares: self.prepares + other.prepares,
            sessions: self.sessions + other.sessions,
            unreadable: self.unreadable + other.unreadable,
        }
    }
}

impl WireCounts {
    pub fn snapshot(&self) -> WireSnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        WireSnapshot {
            round_trips: read(&self.round_trips),
            pings: read(&self.pings),
            statements: read(&self.statements),
            prepares: read(&self.prepares),
            sessions: read(&self.sessions),
            unreadable: read(&self.unreadable),
        }
    }

    pub fn reset(&self) {
        for counter in [
            &self.round_trips,
            &self.pings,
            &self.statements,
            &self.prepares,
            &self.sessions,
            &self.unreadable,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// Where a connection's frontend stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Untyped messages: length, then a code (SSLRequest, GSSENCRequest, StartupMessage,
    /// CancelRequest).
    Startup,
    /// Typed messages: a tag byte, then a length that counts itself but not the tag.
    Messages,
    /// Lost: counted once as unreadable, then only carried.
    Unreadable,
}

/// Follows one connection's client→server bytes, chunk by chunk as they arrive (a message
/// may be split across chunks), reading only headers and skipping bodies.
#[derive(Debug)]
pub struct FrontendReader {
    phase: Phase,
    header: [u8; 8],
    header_filled: usize,
    body_left: usize,
    /// Executes in the batch since the last Sync or Query.
    batch_executes: u64,
    /// Other messages (Parse, Bind, Describe, Close, Flush) in that batch.
    batch_others: u64,
}

impl Default for FrontendReader {
    fn default() -> Self {
        FrontendReader {
            phase: Phase::Startup,
            header: [0; 8],
            header_filled: 0,
            body_left: 0,
            batch_executes: 0,
            batch_others: 0,
        }
    }
}

impl FrontendReader {
    pub fn read(&mut self, mut bytes: &[u8], counts: &WireCounts) {
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let skipped = self.body_left.min(bytes.len());
                self.body_left -= skipped;
                bytes = bytes.split_at(skipped).1;
                continue;
            }
            let header_length = match self.phase {
                Phase::Startup => 8,
                Phase::Messages => 5,
                Phase::Unreadable => return,
            };
            let taken = (header_length - self.header_filled).min(bytes.len());
            let (head, rest) = bytes.split_at(taken);
            self.header[self.header_filled..self.header_filled + taken].copy_from_slice(head);
            self.header_filled += taken;
            bytes = rest;
            if self.header_filled < header_length {
                return;
            }
            self.header_filled = 0;
            match self.phase {
                Phase::Startup => self.untyped_message(counts),
                Phase::Messages => self.typed_message(counts),
                Phase::Unreadable => return,
            }
        }
    }

    fn untyped_message(&mut self, counts: &WireCounts) {
        let [l0, l1, l2, l3, c0, c1, c2, c3] = self.header;
        let length = u32::from_be_bytes([l0, l1, l2, l3]);
        let code = u32::from_be_bytes([c0, c1, c2, c3]);
        if !(8..=MAX_STARTUP_LENGTH).contains(&length) {
            return self.lose(counts);
        }
        self.body_left = (length - 8) as usize;
        match code {
            // Still untyped: on `N` a StartupMessage follows, on `S` TLS, which the length
            // check above then turns away.
            SSL_REQUEST | GSSENC_REQUEST => {}
            code if code >> 16 == PROTOCOL_MAJOR_3 => {
                WireCounts::add(&counts.sessions, 1);
                self.phase = Phase::Messages;
            }
            // A CancelRequest ends its connection; anything else is not PostgreSQL.
            _ => {}
        }
    }

    fn typed_message(&mut self, counts: &WireCounts) {
        let [tag, l0, l1, l2, l3, ..] = self.header;
        let length = u32::from_be_bytes([l0, l1, l2, l3]);
        if length < 4 {
            return self.lose(counts);
        }
        self.body_left = (length - 4) as usize;
        match tag {
            b'Q' => {
                WireCounts::add(&counts.round_trips, 1);
                WireCounts::add(&counts.statements, 1);
                self.end_batch();
            }
            b'S' => {
                WireCounts::add(&counts.round_trips, 1);
                match (self.batch_executes, self.batch_others) {
                    (0, 0) => WireCounts::add(&counts.pings, 1),
                    (0, _) => WireCounts::add(&counts.prepares, 1),
                    (executes, _) => WireCounts::add(&counts.statements, executes),
                }
                self.end_batch();
            }
            b'E' => self.batch_executes += 1,
            // Terminate, and the password exchange during startup: no batch of their own.
            b'X' | b'p' => {}
            _ => self.batch_others += 1,
        }
    }

    fn end_batch(&mut self) {
        self.batch_executes = 0;
        self.batch_others = 0;
    }

    fn lose(&mut self, counts: &WireCounts) {
        WireCounts::add(&counts.unreadable, 1);
        self.phase = Phase::Unreadable;
    }
}
