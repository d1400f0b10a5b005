-- Herald's jobs get a database of their own beside Kratos' (the postgres image runs this once,
-- when its data volume is new). `herald store migrate` (the herald-migrate service) creates the tables.
CREATE DATABASE herald;
