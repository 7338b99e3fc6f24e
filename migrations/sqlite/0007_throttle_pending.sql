-- Attempts being evaluated right now, counted apart from failures (SQLite). A limit is
-- reserved against failures + pending, so parallel guesses cannot outrun it; a burst of
-- correct sign-ins that finds the limit busy (not full) waits its turn instead of being
-- refused.
alter table throttle_counters add column pending bigint not null default 0;
