-- Passkeys (WebAuthn Level 3) (PostgreSQL). Times are unix seconds.

-- The WebAuthn user handle of each user: random, so the OIDC subject is not what
-- authenticators store and hand out; it names the account in a usernameless sign-in.
create table passkey_user_handles (
    user_id text primary key references users (id) on delete cascade,
    handle text not null unique
);

-- Each registered passkey. credential_id is the base64url credential ID, unique across all
-- users (WebAuthn §7.1 step 26); passkey is the crate's serialised credential (public key,
-- counter, backup flags), updated after each use.
create table passkey_credentials (
    credential_id text primary key,
    user_id text not null references users (id) on delete cascade,
    name text not null,
    passkey text not null,
    backup_eligible boolean not null,
    created_at bigint not null,
    last_used_at bigint
);
create index passkey_credentials_user on passkey_credentials (user_id);

-- Ceremonies in progress (registration or sign-in): the crate's serialised state, taken once
-- by whichever instance the browser's answer reaches, and refused after expires_at.
create table webauthn_ceremonies (
    id text primary key,
    kind text not null,
    user_id text references users (id) on delete cascade,
    state text not null,
    expires_at bigint not null
);
create index webauthn_ceremonies_expiry on webauthn_ceremonies (expires_at);
