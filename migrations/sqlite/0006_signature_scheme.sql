-- The HTTP signature scheme that worked for a host: 'cavage' (the default) or 'rfc9421'.
ALTER TABLE hosts ADD COLUMN signature_scheme TEXT;
