-- The hub agent's applied revision, announced at commit on the revision channel as
-- "<network id>:applied:<revision>". An enrollment, reissue or claim answer that waits until the
-- hub has its peer wakes on it in every API process (no polling).
CREATE FUNCTION "notify_applied_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('wg_enroll_revision', NEW."id"::text || ':applied:' || NEW."applied_revision"::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER "network_applied_revision_notify" AFTER UPDATE OF "applied_revision" ON "network"
    FOR EACH ROW
    WHEN (NEW."applied_revision" IS NOT NULL AND NEW."applied_revision" IS DISTINCT FROM OLD."applied_revision")
    EXECUTE FUNCTION "notify_applied_revision"();
