-- DPoP, sender-constrained tokens (RFC 9449) (SQLite). Times are unix seconds.

-- Each accepted proof, by its key's thumbprint and the SHA-256 of its jti, until its iat
-- window has passed (it would be refused as stale then anyway): a proof is accepted once, on
-- every instance (§11.1).
create table dpop_proof_jtis (
    jkt text not null,
    jti_hash text not null,
    expires_at bigint not null,
    primary key (jkt, jti_hash)
);
create index dpop_proof_jtis_expiry on dpop_proof_jtis (expires_at);

-- A code requested with dpop_jkt is exchanged only with a proof of that key (§10).
alter table authorization_codes add column dpop_jkt text;

-- A public client's refresh token is used only with a proof of the key it is bound to (§5).
alter table refresh_tokens add column dpop_jkt text;
