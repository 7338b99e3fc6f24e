-- OpenID Connect Back-Channel Logout 1.0 (SQLite). Times are unix seconds.

-- Which apps received tokens through which browser session, and the sid each was given: the
-- apps to tell when that session ends. Rows go when their session ends (or is purged).
create table session_clients (
    session_id_hash text not null,
    client_id text not null,
    user_id text not null,
    -- The sid of the ID tokens this app got; null means the session's own (rows from before
    -- this migration, whose sid SQL cannot compute).
    sid text,
    created_at bigint not null,
    primary key (session_id_hash, client_id)
);
create index session_clients_user on session_clients (user_id);

-- Live sessions that already gave tokens: from their exchanged codes and refresh families.
insert into session_clients (session_id_hash, client_id, user_id, created_at)
    select session_id_hash, client_id, min(user_id), min(created_at) from (
        select session_id_hash, client_id, user_id, consumed_at as created_at
            from authorization_codes where consumed_at is not null
        union all
        select session_id_hash, client_id, user_id, created_at from refresh_families
    ) given
    where session_id_hash in (select id_hash from sessions)
    group by session_id_hash, client_id;

-- The durable outbox: one row per logout token to deliver, written in the transaction that
-- ended the session. The worker claims due rows for a while (claimed_by, claimed_until), so
-- one row is never sent by two instances at once; a row stays until it is delivered, or until
-- its retries give up (given_up_at, kept a while for operators to see).
create table backchannel_outbox (
    -- Also the logout token's jti, the same on every attempt (an app may drop duplicates).
    id text primary key,
    -- The URI is looked up in the configuration at send time: data never chooses a URL.
    client_id text not null,
    sub text not null,
    sid text not null,
    created_at bigint not null,
    next_attempt_at bigint not null,
    attempts bigint not null default 0,
    claimed_by text,
    claimed_until bigint,
    last_error text,
    given_up_at bigint
);
create index backchannel_outbox_due on backchannel_outbox (next_attempt_at);
