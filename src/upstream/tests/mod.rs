//! Unit tests of the upstream client.
