-- The audit log (issue 20, ADR 0024): one row per staff or admin write, written in the write's
-- own transaction. Append-only, enforced here rather than trusted to the code: UPDATE and
-- TRUNCATE always raise, DELETE raises unless it comes from purge_audit_log(), the retention
-- purge, and then only for rows older than the cutoff that function was given.

CREATE TABLE audit_log (
  id uuid PRIMARY KEY,
  -- No foreign keys: the log is history and outlives what it describes (a removed store, a
  -- revoked key), and a key to organizations would lock their rows on every write.
  organization_id uuid NOT NULL,
  store_id uuid,
  -- Who: a person (user id), an API key (its id), or the system (no request: a job, the seed).
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system')),
  actor_id uuid,
  CHECK ((actor_kind = 'system') = (actor_id IS NULL)),
  -- A stable dotted name in the restaurant's language: catalog.item.updated, ordering.order.accepted.
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,3}$' AND length(action) <= 100),
  target_type text NOT NULL CHECK (target_type ~ '^[a-z][a-z0-9_]*$' AND length(target_type) <= 60),
  target_id text NOT NULL CHECK (length(target_id) BETWEEN 1 AND 200),
  -- {"before": {...}, "after": {...}} holding only the fields that changed, secrets and personal
  -- data already replaced by "[redacted]" (src/platform/audit/redact.ts).
  changes jsonb NOT NULL DEFAULT '{}',
  request_id text CHECK (length(request_id) <= 128),
  ip inet,
  occurred_at timestamptz NOT NULL DEFAULT now()
);

-- The owners' read: newest first within an organization, keyset on (occurred_at, id).
CREATE INDEX audit_log_org_time_idx ON audit_log (organization_id, occurred_at DESC, id DESC);
-- "What happened to this item / order / key?" and "what did this person do?"
CREATE INDEX audit_log_org_target_idx ON audit_log (organization_id, target_id, occurred_at DESC, id DESC);
CREATE INDEX audit_log_org_actor_idx ON audit_log (organization_id, actor_id, occurred_at DESC, id DESC);
-- Retention scans by age across organizations.
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  purge_before text := current_setting('brigade.audit_purge_before', true);
BEGIN
  IF TG_OP = 'DELETE' AND purge_before IS NOT NULL AND purge_before <> ''
     AND OLD.occurred_at < purge_before::timestamptz THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Entries are only ever inserted; retention deletes through purge_audit_log().';
END;
$$;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- The one way rows leave: entries older than `cutoff`, at most `max_rows` per call (the caller
-- loops, so no run holds a long transaction). The cutoff must lie at least a day in the past, so
-- a bug passing "now" cannot empty the log. The permission lives in a transaction-local setting
-- that this function sets and clears around its own DELETE.
CREATE FUNCTION purge_audit_log(cutoff timestamptz, max_rows integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  deleted integer;
BEGIN
  IF cutoff > now() - interval '1 day' THEN
    RAISE EXCEPTION 'purge_audit_log: cutoff % is less than a day old', cutoff
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('brigade.audit_purge_before', cutoff::text, true);
  DELETE FROM audit_log
   WHERE id IN (SELECT id FROM audit_log WHERE occurred_at < cutoff ORDER BY occurred_at LIMIT max_rows);
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('brigade.audit_purge_before', '', true);
  RETURN deleted;
END;
$$;
