-- Upstream identity providers ([[upstreams]]): the identities linked to each user, the
-- sign-ins on their way to an upstream and back, and the links waiting for the account
-- owner's proof. Times are unix seconds.

-- One identity at an upstream, keyed by what never changes there: the upstream's id in
-- config.toml, the issuer it answered as (an OIDC `iss`, or GitHub's web address) and its
-- stable subject (an OIDC `sub`, GitHub's numeric id; never a login name, which can be
-- renamed). An identity belongs to one user; a user may have several.
create table upstream_identities (
    upstream_id text not null,
    issuer text not null,
    subject text not null,
    user_id text not null references users (id) on delete cascade,
    -- What the account page shows (a GitHub login, a preferred_username or an email).
    account_name text,
    linked_at bigint not null,
    last_used_at bigint not null,
    primary key (upstream_id, issuer, subject)
);
create index upstream_identities_user on upstream_identities (user_id);

-- A trip to an upstream and back, keyed by the hash of its `state` (which the browser also
-- holds in a cookie). It carries what the callback needs: the PKCE verifier and nonce (worth
-- nothing without the upstream's single-use code, which only this callback receives), where
-- the sign-in continues (the authorization request's query), and for a link started from the
-- account page, the user it links to. Claimed by deleting it; gone after ten minutes.
create table upstream_requests (
    state_hash text primary key,
    upstream_id text not null,
    nonce text not null,
    pkce_verifier text not null,
    continuation text not null,
    link_user_id text references users (id) on delete cascade,
    created_at bigint not null,
    expires_at bigint not null
);
create index upstream_requests_expires_at on upstream_requests (expires_at);

-- An upstream identity whose verified email belongs to an existing account: never linked
-- automatically (pre-account takeover). It waits, behind a cookie whose hash is its id, for
-- that account's owner to sign in; then it is linked.
create table upstream_pending_links (
    id_hash text primary key,
    user_id text not null references users (id) on delete cascade,
    upstream_id text not null,
    issuer text not null,
    subject text not null,
    account_name text,
    created_at bigint not null,
    expires_at bigint not null
);
create index upstream_pending_links_expires_at on upstream_pending_links (expires_at);

-- What the first factor of a pending sign-in proved (`pwd`, or `fed` for an upstream), so the
-- session it becomes names the methods really used.
alter table pending_sign_ins add column first_factor_amr text not null default 'pwd';
