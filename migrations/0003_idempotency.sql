-- Idempotency keys: one row per (caller, method, path, key). A row is first a claim (no
-- response yet) held by one request; when that request finishes, its response is stored here
-- and replayed to retries with the same key and body until expires_at.

CREATE TABLE idempotency_keys (
  -- 'user:<uuid>' or 'api_key:<uuid>': the key space is per caller.
  caller text NOT NULL,
  method text NOT NULL,
  -- The concrete path (route pattern with its parameters filled in), without the query string.
  path text NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- SHA-256 of the canonical JSON of the request (body and query string).
  fingerprint bytea NOT NULL CHECK (length(fingerprint) = 32),
  -- Which request holds the claim; every write after the claim is conditional on it, so a
  -- request whose claim was taken over can never overwrite the new holder's row.
  claim_token uuid NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  response_status smallint CHECK (response_status BETWEEN 100 AND 599),
  -- {"content-type": "…", "location": "…", "etag": "…"}: only the headers worth replaying.
  response_headers jsonb,
  -- The exact bytes sent the first time.
  response_body bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (caller, method, path, key),
  -- A claim has no response; a completed row has all of it.
  CHECK ((completed_at IS NULL) = (response_status IS NULL)),
  CHECK ((completed_at IS NULL) = (response_headers IS NULL)),
  CHECK ((completed_at IS NULL) = (response_body IS NULL))
);

-- Serves the purge job.
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
