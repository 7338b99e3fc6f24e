-- Signing keys of several algorithms (SQLite): RS256, ES256 and EdDSA keys each live their own
-- life, numbered by their own generations, so a generation is unique per algorithm, not
-- overall. The unique (alg, generation) still lets exactly one of several instances that find
-- a key of an algorithm due at the same moment insert it.
-- SQLite cannot drop a column's unique constraint: the table is rebuilt, every row kept.
create table signing_keys_by_alg (
    kid text primary key,
    generation bigint not null,
    alg text not null,
    public_jwk text not null,
    sealed_private_key text not null,
    created_at bigint not null,
    publish_at bigint not null,
    sign_at bigint not null,
    retire_at bigint,
    retired_at bigint,
    unique (alg, generation)
);
insert into signing_keys_by_alg (kid, generation, alg, public_jwk, sealed_private_key,
        created_at, publish_at, sign_at, retire_at, retired_at)
    select kid, generation, alg, public_jwk, sealed_private_key,
        created_at, publish_at, sign_at, retire_at, retired_at
    from signing_keys;
drop table signing_keys;
alter table signing_keys_by_alg rename to signing_keys;
