-- TOTP multi-factor authentication (PostgreSQL). Times are unix seconds; bearer secrets are hashed.

-- One authenticator per user. The TOTP secret is sealed with AES-256-GCM under a key that lives
-- in the configuration, never here. `enabled` stays false until the user has entered a valid
-- code (verify-then-enable); a pending secret is never asked for at sign-in.
create table totp_credentials (
    user_id text primary key references users (id) on delete cascade,
    sealed_secret text not null,
    enabled boolean not null default false,
    created_at bigint not null,
    enabled_at bigint,
    -- The latest time step accepted for this user: codes for it or any earlier step are replays.
    last_used_step bigint
);

-- Single-use recovery codes, stored as SHA-256 hashes (80 random bits each).
create table recovery_codes (
    user_id text not null references users (id) on delete cascade,
    code_hash text not null,
    created_at bigint not null,
    used_at bigint,
    primary key (user_id, code_hash)
);

-- Sign-ins that passed the password step and wait for the second factor, keyed by the hash of
-- a cookie value. `replaces_session_hash` is the password-only session a step-up replaces.
create table mfa_pending_logins (
    id_hash text primary key,
    user_id text not null references users (id) on delete cascade,
    replaces_session_hash text,
    created_at bigint not null,
    expires_at bigint not null
);
create index mfa_pending_logins_expires_at on mfa_pending_logins (expires_at);

-- Failed second-factor attempts per account, counted over a sliding window. In the database so
-- that every instance behind a load balancer counts the same attempts.
create table mfa_failed_attempts (
    id text primary key,
    user_id text not null references users (id) on delete cascade,
    attempted_at bigint not null
);
create index mfa_failed_attempts_user on mfa_failed_attempts (user_id, attempted_at);
