-- The settings a served config carries (endpoint, DNS, MTU, keepalive, AllowedIPs) can be
-- changed after configs went out. The network counts its settings revision (bumped by every
-- change of those settings); each peer records the settings revision its config was rendered
-- with (null: no config served yet, a claim link not redeemed). A peer whose revision is below
-- its network's runs a config with older settings until it is reissued.
ALTER TABLE "network" ADD COLUMN "settings_revision" BIGINT NOT NULL DEFAULT 1;

ALTER TABLE "peer" ADD COLUMN "settings_revision" BIGINT;

-- Configs served before: rendered with the settings as they stand now (revision 1).
UPDATE "peer" SET "settings_revision" = 1 WHERE "served_at" IS NOT NULL OR "status" = 'active';
