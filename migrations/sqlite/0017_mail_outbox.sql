-- The mail outbox (SQLite). Times are unix seconds. The same lease as backchannel_outbox: the
-- worker claims due rows for a while (claimed_by, claimed_until), so one message is never
-- sent by two instances at once; a row stays until it is sent, or until its retries give up
-- (given_up_at, kept a while for operators to see).
create table mail_outbox (
    -- Also the Message-ID's local part, the same on every attempt.
    id text primary key,
    -- Only the address: operators can see who waits for mail without opening any.
    recipient text not null,
    -- The whole composed message (RFC 5322), sealed under a key derived from the master key
    -- and bound to the id: it holds one-time links.
    sealed_message text not null,
    created_at bigint not null,
    next_attempt_at bigint not null,
    attempts bigint not null default 0,
    claimed_by text,
    claimed_until bigint,
    last_error text,
    given_up_at bigint
);
create index mail_outbox_due on mail_outbox (next_attempt_at);
