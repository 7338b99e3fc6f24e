-- RFC 8707 resource indicators: the APIs a grant covers, as space-separated identifiers
-- (a URI has no space). Empty: none, tokens for userinfo only, as before this migration.
alter table consents add column resources text not null default '';
alter table authorization_codes add column resources text not null default '';
alter table refresh_tokens add column resources text not null default '';
