-- Signing keys in the database, shared by every instance (SQLite). Times are unix seconds.
-- The private key is sealed (AES-256-GCM) under a key derived from the master key, which is
-- never stored here. Each key carries its own life times, so every instance switches at the
-- same moment without talking to the others:
--   publish_at <= now < sign_at   next      (in the JWKS, not signing)
--   sign_at <= now, newest such   current   (signs)
--   otherwise until retire_at     previous  (in the JWKS, not signing)
--   retire_at / retired_at <= now retired   (gone)
-- generation is unique: two instances preparing the next key at once cannot both succeed.
create table signing_keys (
    kid text primary key,
    generation bigint not null unique,
    alg text not null,
    public_jwk text not null,
    sealed_private_key text not null,
    created_at bigint not null,
    publish_at bigint not null,
    sign_at bigint not null,
    retire_at bigint,
    retired_at bigint
);
