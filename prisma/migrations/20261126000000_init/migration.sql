-- CreateEnum
CREATE TYPE "peer_status" AS ENUM ('pending', 'active', 'revoked', 'expired');

-- CreateEnum
CREATE TYPE "token_role" AS ENUM ('admin', 'requester', 'agent');

-- CreateTable
CREATE TABLE "network" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "ipv4_cidr" TEXT NOT NULL,
    "ipv6_cidr" TEXT,
    "endpoint" TEXT NOT NULL,
    "listen_port" INTEGER NOT NULL,
    "persistent_keepalive" INTEGER NOT NULL,
    "dns" TEXT[],
    "mtu" INTEGER,
    "allowed_ips" TEXT[],
    "hub_public_key" TEXT,
    "revision" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "network_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "peer" (
    "id" UUID NOT NULL,
    "network_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "host_number" INTEGER NOT NULL,
    "ipv4" TEXT NOT NULL,
    "ipv6" TEXT,
    "public_key" TEXT NOT NULL,
    "preshared_key_enc" BYTEA NOT NULL,
    "private_key_enc" BYTEA,
    "status" "peer_status" NOT NULL,
    "delivery" TEXT NOT NULL,
    "claim_token_hash" TEXT,
    "claim_expires_at" TIMESTAMPTZ(3),
    "served_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revision" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "peer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "free_address" (
    "network_id" UUID NOT NULL,
    "host_number" INTEGER NOT NULL,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "free_address_pkey" PRIMARY KEY ("network_id","host_number")
);

-- CreateTable
CREATE TABLE "lease" (
    "id" UUID NOT NULL,
    "network_id" UUID NOT NULL,
    "peer_id" UUID NOT NULL,
    "host_number" INTEGER NOT NULL,
    "ipv4" TEXT NOT NULL,
    "ipv6" TEXT,
    "owner_id" TEXT NOT NULL,
    "leased_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "released_at" TIMESTAMPTZ(3),

    CONSTRAINT "lease_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "token_role" NOT NULL,
    "network_id" UUID,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrollment_key" (
    "id" UUID NOT NULL,
    "network_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "max_uses" INTEGER NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "enrollment_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "network_id" UUID,
    "target_type" TEXT,
    "target_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "network_name_key" ON "network"("name");

-- CreateIndex
CREATE UNIQUE INDEX "peer_claim_token_hash_key" ON "peer"("claim_token_hash");

-- CreateIndex
CREATE INDEX "peer_network_id_revision_idx" ON "peer"("network_id", "revision");

-- CreateIndex
CREATE INDEX "peer_network_id_name_id_idx" ON "peer"("network_id", "name", "id");

-- CreateIndex
CREATE INDEX "peer_network_id_status_id_idx" ON "peer"("network_id", "status", "id");

-- CreateIndex
CREATE INDEX "lease_peer_id_idx" ON "lease"("peer_id");

-- CreateIndex
CREATE INDEX "lease_network_id_host_number_idx" ON "lease"("network_id", "host_number");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_secret_hash_key" ON "api_token"("secret_hash");

-- CreateIndex
CREATE UNIQUE INDEX "enrollment_key_secret_hash_key" ON "enrollment_key"("secret_hash");

-- CreateIndex
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");

-- CreateIndex
CREATE INDEX "audit_event_network_id_id_idx" ON "audit_event"("network_id", "id");

-- AddForeignKey
ALTER TABLE "peer" ADD CONSTRAINT "peer_network_id_fkey" FOREIGN KEY ("network_id") REFERENCES "network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "free_address" ADD CONSTRAINT "free_address_network_id_fkey" FOREIGN KEY ("network_id") REFERENCES "network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lease" ADD CONSTRAINT "lease_network_id_fkey" FOREIGN KEY ("network_id") REFERENCES "network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lease" ADD CONSTRAINT "lease_peer_id_fkey" FOREIGN KEY ("peer_id") REFERENCES "peer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_network_id_fkey" FOREIGN KEY ("network_id") REFERENCES "network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollment_key" ADD CONSTRAINT "enrollment_key_network_id_fkey" FOREIGN KEY ("network_id") REFERENCES "network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Written by hand: what Prisma's schema language cannot say (see docs/data-model.md).
-- ---------------------------------------------------------------------------------------------

-- Invariant 1: no two live peers of a network share an IPv4, an IPv6 address or a public key.
CREATE UNIQUE INDEX "peer_live_ipv4_key" ON "peer"("network_id", "ipv4") WHERE "status" IN ('pending', 'active');
CREATE UNIQUE INDEX "peer_live_ipv6_key" ON "peer"("network_id", "ipv6") WHERE "status" IN ('pending', 'active');
CREATE UNIQUE INDEX "peer_live_public_key_key" ON "peer"("network_id", "public_key") WHERE "status" IN ('pending', 'active');
-- An address is held by at most one open lease.
CREATE UNIQUE INDEX "lease_open_host_key" ON "lease"("network_id", "host_number") WHERE "released_at" IS NULL;
-- Expiry sweeps find live peers with a deadline cheaply.
CREATE INDEX "peer_live_expires_at_idx" ON "peer"("expires_at") WHERE "status" IN ('pending', 'active') AND "expires_at" IS NOT NULL;
CREATE INDEX "peer_pending_claim_expires_at_idx" ON "peer"("claim_expires_at") WHERE "status" = 'pending';

ALTER TABLE "enrollment_key" ADD CONSTRAINT "enrollment_key_uses_check" CHECK ("uses" >= 0 AND "uses" <= "max_uses");
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_agent_scope_check" CHECK ("role" <> 'agent' OR "network_id" IS NOT NULL);
ALTER TABLE "peer" ADD CONSTRAINT "peer_served_key_wiped_check" CHECK ("served_at" IS NULL OR "private_key_enc" IS NULL);
ALTER TABLE "peer" ADD CONSTRAINT "peer_delivery_check" CHECK ("delivery" IN ('inline', 'link'));

-- The desired-state revision. Every committed change of a network's desired state (a peer
-- entering or leaving the active set, or an active peer's keys changing) bumps the network's
-- revision inside the committing transaction. A deferred trigger does it at commit time, so the
-- row lock on the network is held only for the commit itself, and revisions follow commit
-- order: an agent that has seen revision r has seen every change committed before r.
CREATE FUNCTION "bump_network_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_revision BIGINT;
BEGIN
    UPDATE "network" SET "revision" = "revision" + 1, "updated_at" = now()
        WHERE "id" = NEW."network_id" RETURNING "revision" INTO next_revision;
    UPDATE "peer" SET "revision" = next_revision WHERE "id" = NEW."id" AND "revision" < next_revision;
    PERFORM pg_notify('wg_enroll_revision', NEW."network_id"::text || ':' || next_revision::text);
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "peer_desired_state_insert" AFTER INSERT ON "peer"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW."status" = 'active')
    EXECUTE FUNCTION "bump_network_revision"();

CREATE CONSTRAINT TRIGGER "peer_desired_state_update" AFTER UPDATE ON "peer"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD."status" = 'active' OR NEW."status" = 'active') AND (
        OLD."status" IS DISTINCT FROM NEW."status" OR
        OLD."public_key" IS DISTINCT FROM NEW."public_key" OR
        OLD."preshared_key_enc" IS DISTINCT FROM NEW."preshared_key_enc" OR
        OLD."ipv4" IS DISTINCT FROM NEW."ipv4" OR
        OLD."ipv6" IS DISTINCT FROM NEW."ipv6"))
    EXECUTE FUNCTION "bump_network_revision"();

-- Settings the service keeps for itself (for example a check value of SECRET_KEY, so that a
-- replica started with another key refuses to start instead of writing unreadable secrets).
CREATE TABLE "app_setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "app_setting_pkey" PRIMARY KEY ("key")
);
