-- Consent per (API, scope) (RFC 8707 §2): two APIs may define a scope of the same name, and
-- approving it for one must not approve it for the other. One row per API a user approved
-- for a client, with the scopes of that API approved (space-separated; may be empty). The
-- scope column of consents keeps every scope name for the account page, but only its OpenID
-- Connect scopes are matched against requests from now on.
create table consent_apis (
    user_id text not null,
    client_id text not null,
    resource text not null,
    scope text not null,
    primary key (user_id, client_id, resource),
    foreign key (user_id, client_id) references consents (user_id, client_id) on delete cascade
);

-- Approvals made before: one naming a single API carries over exactly, since an API's scope
-- was granted only with its API named, so every API scope in that row was approved for that
-- API (the row's OpenID Connect scopes ride along and are never matched here). One naming
-- several APIs cannot say which scope was approved for which: its API part is not carried
-- over and the user is asked again for those APIs; its OpenID Connect scopes stay approved.
insert into consent_apis (user_id, client_id, resource, scope)
select user_id, client_id, resources, scope from consents
where resources <> '' and resources not like '% %';
