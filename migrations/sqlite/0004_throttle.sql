-- Failure counters for throttling (login, client authentication), shared by all instances.
-- One fixed window per key; keys are SHA-256 hashes of "kind:value" so no email or address
-- is stored in the clear.
create table throttle_counters (
    key text primary key,
    window_start bigint not null,
    failures bigint not null
);
create index throttle_counters_window_start on throttle_counters (window_start);
