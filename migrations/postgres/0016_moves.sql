-- Actors that move: the other ids an actor says it also is (`alsoKnownAs`, a JSON list of
-- URLs) and the actor it moved to (`movedTo`), for remote actors as fetched and for our own.
ALTER TABLE actors ADD COLUMN also_known_as TEXT NOT NULL DEFAULT '[]';
ALTER TABLE actors ADD COLUMN moved_to TEXT;
