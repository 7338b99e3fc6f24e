-- Device authorization grants (RFC 8628). A row is one device authorization request, keyed by
-- the SHA-256 of its device code; `user_code_hash` is the SHA-256 of the user code in its
-- canonical form (eight upper-case characters, no dash). `status` goes pending -> approved
-- or denied, and approved -> spent when the tokens are issued (one update that only an
-- approved row passes, so two polls cannot both get tokens). `interval` grows by 5 seconds
-- at each `slow_down`; `last_polled_at` is the last poll, so every instance agrees on both.
-- `handle_hash` is the SHA-256 of the secret the pages carry once the user code was typed
-- right; the user and sign-in that answered are written with the answer. The purge deletes
-- rows an hour past `expires_at`. Times are unix seconds.
create table device_codes (
    device_code_hash text primary key,
    user_code_hash text not null unique,
    client_id text not null,
    scope text not null,
    resources text not null,
    created_at bigint not null,
    expires_at bigint not null,
    poll_interval bigint not null,
    last_polled_at bigint,
    status text not null,
    handle_hash text unique,
    user_id text references users (id) on delete cascade,
    session_id_hash text,
    auth_time bigint,
    amr text,
    answered_at bigint
);
create index device_codes_expires_at on device_codes (expires_at);
