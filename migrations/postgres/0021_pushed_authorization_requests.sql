-- Pushed authorization requests (RFC 9126). A row is one request a client pushed to /par,
-- keyed by the SHA-256 of the random part of its request_uri and bound to that client.
-- `params` is the request as pushed (form-encoded, without the client's credentials).
-- The first /authorize naming it claims it: `handle_hash` (SHA-256 of a new secret that the
-- sign-in pages carry instead of the request) and `claimed_at` are set and `expires_at`
-- moves from the request_uri's end to the sign-in's; a claimed row is never claimed again.
-- `consumed_at` is set when the request ends (a code issued, or an error sent back); a
-- consumed row answers nothing. The purge deletes rows past `expires_at`. Times are unix
-- seconds.
create table pushed_authorization_requests (
    reference_hash text primary key,
    client_id text not null,
    params text not null,
    created_at bigint not null,
    expires_at bigint not null,
    handle_hash text unique,
    claimed_at bigint,
    consumed_at bigint
);
create index pushed_authorization_requests_expires_at on pushed_authorization_requests (expires_at);
