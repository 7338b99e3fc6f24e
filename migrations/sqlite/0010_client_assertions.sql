-- private_key_jwt client assertions (RFC 7523 §3, OIDC Core §9) (SQLite). Times are unix seconds.

-- Each assertion's jti, kept until the assertion would be refused as expired anyway, so one
-- assertion authenticates once: in the database, so every instance refuses a replay.
create table client_assertion_jtis (
    client_id text not null,
    jti text not null,
    expires_at bigint not null,
    primary key (client_id, jti)
);
create index client_assertion_jtis_expiry on client_assertion_jtis (expires_at);
