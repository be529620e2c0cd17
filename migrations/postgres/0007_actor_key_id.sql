-- The id of each actor's public key (`publicKey.id`), so that a signature's keyId is matched to
-- the actor that owns it. NULL for actors stored before: their key id is then `actor#…`.
ALTER TABLE actors ADD COLUMN key_id TEXT;
CREATE INDEX actors_key_id ON actors (key_id);
