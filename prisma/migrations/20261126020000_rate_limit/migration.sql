-- Abuse limits shared by every API replica: one fixed-window counter per key and minute.
-- Keys name the limit and the subject (client address, or a SHA-256 of a credential or claim
-- token, never the secret itself). UNLOGGED: counters are worth no WAL or fsync, and losing
-- them in a crash only resets the current minute. Old windows are pruned by every replica.

-- CreateTable
CREATE UNLOGGED TABLE "rate_limit_bucket" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(0) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_bucket_pkey" PRIMARY KEY ("key","window_start")
);

-- CreateIndex
CREATE INDEX "rate_limit_bucket_window_start_idx" ON "rate_limit_bucket"("window_start");
