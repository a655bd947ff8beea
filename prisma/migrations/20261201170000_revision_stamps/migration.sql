-- Revisions without a shared row (docs/design.md, "Revisions without a shared row").
--
-- A change of a peer's desired state no longer bumps its network's revision in its own commit
-- (that queued every enrollment of a network on the network row and sent a NOTIFY in every
-- commit). It marks the peer row unstamped (revision NULL) and touches nothing else. A stamp
-- (stamp_network_revision, or the hub's read, which stamps and reads in one statement) takes the
-- network row lock, gives every unstamped peer of the network the next revision at once, bumps
-- the network's revision to it and sends one NOTIFY for the batch. The stamp holds the network
-- row lock until it commits, so stamps of one network follow one another and a stamp's UPDATE
-- sees every earlier stamp: revisions follow the order of the stamps, and the state at revision
-- r is exactly the changes stamped at r or before.
DROP TRIGGER "peer_desired_state_insert" ON "peer";
DROP TRIGGER "peer_desired_state_update" ON "peer";
DROP FUNCTION "bump_network_revision"();

ALTER TABLE "peer" ALTER COLUMN "revision" DROP NOT NULL;

CREATE FUNCTION "unstamp_peer_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW."revision" := NULL;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "peer_desired_state_insert" BEFORE INSERT ON "peer"
    FOR EACH ROW
    WHEN (NEW."status" = 'active')
    EXECUTE FUNCTION "unstamp_peer_revision"();

CREATE TRIGGER "peer_desired_state_update" BEFORE UPDATE ON "peer"
    FOR EACH ROW
    WHEN ((OLD."status" = 'active' OR NEW."status" = 'active') AND (
        OLD."status" IS DISTINCT FROM NEW."status" OR
        OLD."public_key" IS DISTINCT FROM NEW."public_key" OR
        OLD."preshared_key_enc" IS DISTINCT FROM NEW."preshared_key_enc" OR
        OLD."ipv4" IS DISTINCT FROM NEW."ipv4" OR
        OLD."ipv6" IS DISTINCT FROM NEW."ipv6" OR
        OLD."quarantined" IS DISTINCT FROM NEW."quarantined"))
    EXECUTE FUNCTION "unstamp_peer_revision"();

-- The unstamped peers, cheaply (the backstop looks here every second; empty almost always).
CREATE INDEX "peer_unstamped_idx" ON "peer"("network_id") WHERE "revision" IS NULL;

-- One stamp of one network; returns the network's revision after it. Without an unstamped peer
-- it takes no lock and writes nothing. The lock is FOR NO KEY UPDATE: it does not wait for the
-- FOR KEY SHARE that inserting a peer (its foreign key) takes on the network row.
CREATE FUNCTION "stamp_network_revision"(target UUID) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    current_revision BIGINT;
    stamped INTEGER;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM "peer" WHERE "network_id" = target AND "revision" IS NULL) THEN
        SELECT "revision" INTO current_revision FROM "network" WHERE "id" = target;
        RETURN current_revision;
    END IF;
    SELECT "revision" INTO current_revision FROM "network" WHERE "id" = target FOR NO KEY UPDATE;
    -- A new statement, so a new snapshot taken with the lock held: it sees every earlier stamp.
    -- The peer rows are locked in id order, the order every writer of peer rows keeps.
    UPDATE "peer" SET "revision" = current_revision + 1 WHERE "revision" IS NULL AND "id" IN (
        SELECT "id" FROM "peer" WHERE "network_id" = target AND "revision" IS NULL ORDER BY "id" FOR UPDATE);
    GET DIAGNOSTICS stamped = ROW_COUNT;
    IF stamped = 0 THEN
        RETURN current_revision;
    END IF;
    UPDATE "network" SET "revision" = current_revision + 1, "updated_at" = now() WHERE "id" = target;
    PERFORM pg_notify('wg_enroll_revision', target::text || ':' || (current_revision + 1)::text);
    RETURN current_revision + 1;
END;
$$;
