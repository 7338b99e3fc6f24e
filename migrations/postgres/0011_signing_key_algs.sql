-- Signing keys of several algorithms (PostgreSQL): RS256, ES256 and EdDSA keys each live their
-- own life, numbered by their own generations, so a generation is unique per algorithm, not
-- overall. The unique (alg, generation) still lets exactly one of several instances that find
-- a key of an algorithm due at the same moment insert it. Existing rows (all RS256) keep
-- their generations.
alter table signing_keys drop constraint signing_keys_generation_key;
alter table signing_keys add constraint signing_keys_alg_generation_key unique (alg, generation);
