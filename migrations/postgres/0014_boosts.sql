-- Boosts (`Announce`) are rows of `posts` of kind 'Announce': ours (local, with a public id,
-- in our outbox) and those of the centres we follow (in the network feed, "boosted by").
-- `boost_of` is the id of the post shared; the row's `ap_id` is the Announce's id.
ALTER TABLE posts ADD COLUMN boost_of TEXT;
CREATE INDEX posts_boost_of ON posts (boost_of) WHERE boost_of IS NOT NULL;
