-- What the hub agent last said about the interface: "applied" (wg has the file), "not-applied"
-- (the file is written, but there is no wg or no interface, or the agent only writes files) or
-- "failed" (wg refused it; the interface keeps its previous state), and why. The status page
-- shows it, so a hub whose interface does not exist never reads as "in sync".
ALTER TABLE "network" ADD COLUMN "apply_state" TEXT, ADD COLUMN "apply_problem" TEXT;
