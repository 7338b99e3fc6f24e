-- The admin API lists users in the order they were made, a page at a time after the last
-- (created_at, id) seen: an order that rows added meanwhile never disturb.
create index users_created_at_id on users (created_at, id);
