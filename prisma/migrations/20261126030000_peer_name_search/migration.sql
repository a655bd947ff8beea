-- Status page: the peers' name search (case-insensitive substring, `name ILIKE '%term%'`) reads a
-- trigram index instead of every active peer of the network. Measured with `npm run bench:web`
-- (EXPLAIN ANALYZE at 10,000 peers): see docs/design.md, "Status page".
--
-- pg_trgm ships with Postgres (contrib) and is a trusted extension (13+), so a database owner
-- may create it. Where it is missing or not allowed (an unusual managed Postgres), the search
-- still works, as a scan: the migration then skips the index instead of failing.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX "peer_active_name_trgm_idx" ON "peer" USING gin ("name" gin_trgm_ops) WHERE "status" = 'active';
EXCEPTION
  WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm is not available (%): the peer name search scans instead of using an index', SQLERRM;
END
$$;
