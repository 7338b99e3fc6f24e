//! What the benchmarks share: the real `tessera` binary started on loopback from a
//! configuration in a temporary folder (SQLite, or a fresh PostgreSQL schema when
//! TESSERA_BENCH_POSTGRES_URL is set), optionally pinned to one core, and read from /proc
//! (`server`); user agents with their own cookie jar and connection that run the OIDC flows
//! and check what they get (`agent`); latency percentiles and environment knobs (`stats`);
//! on PostgreSQL, a proxy in front of the database that counts round trips on the wire and
//! can add network delay (`db_proxy`, with `pg_wire` reading the protocol and `delay_line`
//! holding bytes back), and the round trips of single operations (`round_trips`).
#![allow(dead_code)]

pub mod agent;
pub mod db_proxy;
pub mod delay_line;
pub mod pg_wire;
pub mod round_trips;
pub mod server;
pub mod stats;
