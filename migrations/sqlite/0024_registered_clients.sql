-- Clients registered through Dynamic Client Registration (RFC 7591) at /register. `client_id`
-- is random and never the id of a client in config.toml (a configured client always wins).
-- `metadata` is the client's metadata as it sent it (JSON, RFC 7591 §2), checked against the
-- operator's policy again each time the client is used, so a narrower policy applies to old
-- registrations too. `registration_token_hash` is the SHA-256 of the registration access
-- token (RFC 7592 §2), never the token. `last_used_at` moves (coarsely) when the client is
-- used; the purge deletes registrations unused for `dynamic_client_idle_expiry`. Times are
-- unix seconds.
create table registered_clients (
    client_id text primary key,
    metadata text not null,
    registration_token_hash text not null,
    created_at bigint not null,
    updated_at bigint not null,
    last_used_at bigint not null
);
create index registered_clients_last_used_at on registered_clients (last_used_at);
