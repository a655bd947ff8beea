-- Hub agent: what the agent applied and what the interface sees.

-- AlterTable
ALTER TABLE "network" ADD COLUMN "applied_revision" BIGINT,
ADD COLUMN "applied_config_sha256" TEXT,
ADD COLUMN "agent_last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN "quarantine_duplicates" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "peer" ADD COLUMN "first_handshake_at" TIMESTAMPTZ(3),
ADD COLUMN "last_handshake_at" TIMESTAMPTZ(3),
ADD COLUMN "endpoint" TEXT,
ADD COLUMN "rx_bytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "tx_bytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "endpoint_history" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN "flagged_at" TIMESTAMPTZ(3),
ADD COLUMN "flag_reason" TEXT,
ADD COLUMN "quarantined" BOOLEAN NOT NULL DEFAULT false;

-- The desired state is the active, not quarantined peers: a change of quarantine is a change
-- of the desired state too.
DROP TRIGGER "peer_desired_state_update" ON "peer";

CREATE CONSTRAINT TRIGGER "peer_desired_state_update" AFTER UPDATE ON "peer"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD."status" = 'active' OR NEW."status" = 'active') AND (
        OLD."status" IS DISTINCT FROM NEW."status" OR
        OLD."public_key" IS DISTINCT FROM NEW."public_key" OR
        OLD."preshared_key_enc" IS DISTINCT FROM NEW."preshared_key_enc" OR
        OLD."ipv4" IS DISTINCT FROM NEW."ipv4" OR
        OLD."ipv6" IS DISTINCT FROM NEW."ipv6" OR
        OLD."quarantined" IS DISTINCT FROM NEW."quarantined"))
    EXECUTE FUNCTION "bump_network_revision"();

-- The desired state in key order, cheaply.
CREATE INDEX "peer_desired_state_idx" ON "peer"("network_id", "id") WHERE "status" = 'active' AND NOT "quarantined";
