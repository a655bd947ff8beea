-- People who sign in through OpenID Connect. A person is the pair (issuer, subject): the stable
-- "sub" of the provider, never the e-mail address (which can change or be reused).
CREATE TABLE "app_user" (
  "id" UUID PRIMARY KEY,
  "issuer" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "email" TEXT,
  "name" TEXT,
  "groups" TEXT[] NOT NULL DEFAULT '{}',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "last_sign_in_at" TIMESTAMPTZ(3),
  "disabled_at" TIMESTAMPTZ(3),
  CONSTRAINT "app_user_issuer_subject_key" UNIQUE ("issuer", "subject")
);

-- Server-side sessions, shared by every replica. Only a SHA-256 of the random session id is
-- stored: a copy of this table signs nobody in.
CREATE TABLE "user_session" (
  "id_hash" TEXT PRIMARY KEY,
  "user_id" UUID NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
  "csrf_token" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "expires_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX "user_session_user_id_idx" ON "user_session"("user_id");
CREATE INDEX "user_session_expires_at_idx" ON "user_session"("expires_at");

-- A sign-in under way: the state (hashed: it travels in URLs), the nonce and the PKCE verifier,
-- for a few minutes. The callback deletes the row it uses, so a state works once.
CREATE TABLE "login_attempt" (
  "state_hash" TEXT PRIMARY KEY,
  "nonce" TEXT NOT NULL,
  "code_verifier" TEXT NOT NULL,
  "return_to" TEXT NOT NULL,
  "expires_at" TIMESTAMPTZ(3) NOT NULL
);

-- Self-service: a network an admin opens lets signed-in people enroll devices_per_user devices.
ALTER TABLE "network"
  ADD COLUMN "self_service" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "devices_per_user" INTEGER NOT NULL DEFAULT 5 CHECK ("devices_per_user" BETWEEN 1 AND 1000);

-- A personal API token acts as the person who made it (requester role).
ALTER TABLE "api_token" ADD COLUMN "owner_user_id" UUID REFERENCES "app_user"("id") ON DELETE CASCADE;
