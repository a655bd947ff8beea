-- A served config's file name (without ".conf"), chosen at enrollment so that no two live peers
-- of a network share one: the Windows and Android apps refuse a second tunnel of the same name,
-- and on Linux the second file overwrites the first. The rule is `allocateConfigName` in
-- src/domain/text/text.ts ([a-z0-9_], at most 15, the device's name first, "_2", "_3", …).
ALTER TABLE "peer" ADD COLUMN "config_name" TEXT;

-- Peers from before: the device's name (cut) and "_<host number>", which is unique among a
-- network's live peers (one live peer per address), so the index below can be built.
UPDATE "peer" SET "config_name" = COALESCE(
    NULLIF(btrim(left(btrim(regexp_replace(lower("name"), '[^a-z0-9]+', '_', 'g'), '_'),
                      15 - length('_' || "host_number")), '_'), ''),
    'wg') || '_' || "host_number";

CREATE UNIQUE INDEX "peer_live_config_name_key" ON "peer"("network_id", "config_name")
  WHERE "status" IN ('pending', 'active') AND "config_name" IS NOT NULL;
