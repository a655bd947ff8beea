-- A device login under way (the OAuth 2.0 device authorization grant, RFC 8628, mediated by the
-- service for `join.sh --login`). The node holds a random handle; only its SHA-256 is stored.
-- The provider's device_code never leaves the server, and is kept here encrypted (AES-256-GCM)
-- with a key derived from the handle: this table alone, or with the service's secret key, polls
-- nothing. The row is deleted when the login ends (signed in, denied or expired).
CREATE TABLE "device_login" (
  "handle_hash" TEXT PRIMARY KEY,
  "device_code" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "expires_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX "device_login_expires_at_idx" ON "device_login"("expires_at");
