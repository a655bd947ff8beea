-- Idempotency-Key on enrollment: one row per (credential, key), written in the enrollment's own
-- transaction before the address is leased, so a concurrent retry with the same key waits on
-- the primary key and then sees the committed peer (one peer, one lease); a rolled-back
-- enrollment leaves no row. The key's request hash tells a retry from a reuse. Rows expire
-- after 24 h (expires_at) and are pruned by the expiry sweep.

-- CreateTable
CREATE TABLE "idempotency_key" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "peer_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE INDEX "idempotency_key_expires_at_idx" ON "idempotency_key"("expires_at");

-- CreateIndex
CREATE INDEX "idempotency_key_peer_id_idx" ON "idempotency_key"("peer_id");

-- AddForeignKey (deferred: the row is written before the peer it names, in one transaction)
ALTER TABLE "idempotency_key" ADD CONSTRAINT "idempotency_key_peer_id_fkey" FOREIGN KEY ("peer_id") REFERENCES "peer"("id") ON DELETE CASCADE ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
