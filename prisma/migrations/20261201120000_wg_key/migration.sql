-- One WireGuard key per network interface: the hub's own key and every live peer's key share
-- one table, so its primary key refuses a hub key equal to a live peer's key (and a peer key
-- equal to the hub's) even when the two writes race: the later insert waits for the earlier
-- transaction and fails with a unique violation once it commits.
--
-- Peer rows are kept by a trigger (every writer, bulk loaders included). The hub's row is
-- written by the code that sets the hub key, before it updates the network row: a trigger on
-- the network row would hold that row while waiting for a racing enrollment, which needs the
-- same row at commit (the revision bump), a deadlock. A deferred check makes sure that every
-- hub key set on a network has its row here, so no writer can skip it.
CREATE TABLE "wg_key" (
    "network_id" UUID NOT NULL,
    "public_key" TEXT NOT NULL,
    -- NULL: the hub's own key.
    "peer_id" UUID,

    CONSTRAINT "wg_key_pkey" PRIMARY KEY ("network_id", "public_key"),
    CONSTRAINT "wg_key_network_id_fkey" FOREIGN KEY ("network_id") REFERENCES "network"("id") ON DELETE CASCADE,
    CONSTRAINT "wg_key_peer_id_fkey" FOREIGN KEY ("peer_id") REFERENCES "peer"("id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "wg_key_peer_id_key" ON "wg_key"("peer_id");
CREATE UNIQUE INDEX "wg_key_hub_key" ON "wg_key"("network_id") WHERE "peer_id" IS NULL;

-- Live peers (pending or active) hold their key; a peer that leaves the live set or changes its
-- key gives the old one back in the same transaction.
CREATE FUNCTION "wg_key_follow_peer"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM "wg_key" WHERE "peer_id" = OLD."id";
    END IF;
    IF NEW."status" IN ('pending', 'active') THEN
        INSERT INTO "wg_key" ("network_id", "public_key", "peer_id") VALUES (NEW."network_id", NEW."public_key", NEW."id");
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "peer_wg_key_insert" AFTER INSERT ON "peer"
    FOR EACH ROW
    WHEN (NEW."status" IN ('pending', 'active'))
    EXECUTE FUNCTION "wg_key_follow_peer"();

CREATE TRIGGER "peer_wg_key_update" AFTER UPDATE OF "status", "public_key", "network_id" ON "peer"
    FOR EACH ROW
    WHEN ((OLD."status" IN ('pending', 'active')) IS DISTINCT FROM (NEW."status" IN ('pending', 'active')) OR
        (NEW."status" IN ('pending', 'active') AND (
            OLD."public_key" IS DISTINCT FROM NEW."public_key" OR OLD."network_id" IS DISTINCT FROM NEW."network_id")))
    EXECUTE FUNCTION "wg_key_follow_peer"();

-- At commit: a network's hub key is the hub row of wg_key (none when the network has no key).
CREATE FUNCTION "wg_key_check_hub"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    registered TEXT;
BEGIN
    SELECT "public_key" INTO registered FROM "wg_key" WHERE "network_id" = NEW."id" AND "peer_id" IS NULL;
    IF registered IS DISTINCT FROM NEW."hub_public_key" THEN
        RAISE EXCEPTION 'the hub key of network % is not registered in wg_key', NEW."id"
            USING ERRCODE = '23514', CONSTRAINT = 'wg_key_hub_registered';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "network_hub_key_registered" AFTER INSERT OR UPDATE OF "hub_public_key" ON "network"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION "wg_key_check_hub"();

-- The keys held today. Live peers' keys are unique already (peer_live_public_key_key). A hub key
-- that a live peer held before this rule existed stays unregistered (DO NOTHING) and is refused
-- only from the next change of that network's hub key on.
INSERT INTO "wg_key" ("network_id", "public_key", "peer_id")
    SELECT "network_id", "public_key", "id" FROM "peer" WHERE "status" IN ('pending', 'active');
INSERT INTO "wg_key" ("network_id", "public_key", "peer_id")
    SELECT "id", "hub_public_key", NULL FROM "network" WHERE "hub_public_key" IS NOT NULL
    ON CONFLICT DO NOTHING;
