-- Reviews (issue 18, ADR 0028): one verified review per fulfilled order, threaded replies with a
-- depth cap, helpful votes, reports, and the store's rating tallies kept in the transaction of
-- every change that moves them.

CREATE TABLE reviews (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  -- One review per order, enforced here so twenty parallel posts cannot make two.
  order_id uuid NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  channel text NOT NULL CHECK (channel IN ('pickup', 'delivery', 'dine_in')),
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  food_rating smallint CHECK (food_rating BETWEEN 1 AND 5),
  delivery_rating smallint CHECK (delivery_rating BETWEEN 1 AND 5),
  comment text CHECK (char_length(comment) <= 2000),
  photos text[] NOT NULL DEFAULT '{}' CHECK (cardinality(photos) <= 4),
  state text NOT NULL CHECK (state IN ('published', 'held', 'removed')),
  -- Why a moderator removed it or why it was held (shown on the tombstone), and by whom.
  moderation_reason text CHECK (char_length(moderation_reason) <= 500),
  moderated_by uuid,
  moderated_at timestamptz,
  -- The author deleted it: a tombstone (content cleared), its replies stay in place.
  deleted_at timestamptz,
  helpful_count integer NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
  report_count integer NOT NULL DEFAULT 0 CHECK (report_count >= 0),
  reply_count integer NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
  -- Positions handed to replies under this row's lock: they grow in commit order (keyset paging).
  reply_seq bigint NOT NULL DEFAULT 0,
  revision integer NOT NULL DEFAULT 1,
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(comment, ''))) STORED,
  created_at timestamptz NOT NULL,
  edited_at timestamptz,
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE,
  CHECK (delivery_rating IS NULL OR channel = 'delivery')
);
-- The public list: live reviews newest first (ids are UUIDv7), by rating, or by helpfulness.
CREATE INDEX reviews_store_live_idx ON reviews (store_id, id DESC) WHERE state = 'published' AND deleted_at IS NULL;
CREATE INDEX reviews_store_rating_idx ON reviews (store_id, rating, id DESC) WHERE state = 'published' AND deleted_at IS NULL;
CREATE INDEX reviews_store_helpful_idx ON reviews (store_id, helpful_count DESC, id DESC) WHERE state = 'published' AND deleted_at IS NULL;
-- Staff: every review of a store (moderation queue by state), and full-text search.
CREATE INDEX reviews_store_state_idx ON reviews (store_id, state, id DESC);
CREATE INDEX reviews_search_idx ON reviews USING gin (search);

-- Earlier versions of an edited review (the author may edit within 48 hours; history kept).
CREATE TABLE review_revisions (
  review_id uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  revision integer NOT NULL,
  rating smallint NOT NULL,
  food_rating smallint,
  delivery_rating smallint,
  comment text,
  photos text[] NOT NULL,
  replaced_at timestamptz NOT NULL,
  PRIMARY KEY (review_id, revision)
);

CREATE TABLE review_replies (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  store_id uuid NOT NULL,
  review_id uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  -- Where it hangs in the tree (null: on the review). At the depth cap this is the answered
  -- reply's parent, while in_reply_to keeps the reply that was answered.
  parent_id uuid REFERENCES review_replies (id) ON DELETE CASCADE,
  in_reply_to uuid REFERENCES review_replies (id) ON DELETE SET NULL,
  depth smallint NOT NULL CHECK (depth BETWEEN 1 AND 3),
  position bigint NOT NULL,
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  author_role text NOT NULL CHECK (author_role IN ('store', 'customer')),
  body text CHECK (char_length(body) <= 2000),
  state text NOT NULL CHECK (state IN ('published', 'held', 'removed')),
  moderation_reason text CHECK (char_length(moderation_reason) <= 500),
  moderated_by uuid,
  moderated_at timestamptz,
  deleted_at timestamptz,
  report_count integer NOT NULL DEFAULT 0 CHECK (report_count >= 0),
  reply_count integer NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
  created_at timestamptz NOT NULL,
  edited_at timestamptz,
  UNIQUE (review_id, position),
  CHECK ((depth = 1) = (parent_id IS NULL))
);
-- Keyset per parent: the children of one reply (or the review's top level) in position order.
CREATE INDEX review_replies_parent_idx ON review_replies (review_id, parent_id, position);
-- The moderation queue of a store's held replies.
CREATE INDEX review_replies_held_idx ON review_replies (store_id, id DESC) WHERE state = 'held';

-- One helpful vote per account per review.
CREATE TABLE review_votes (
  review_id uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (review_id, user_id)
);

-- One report per account per review or reply; past the threshold the content is held.
CREATE TABLE review_reports (
  target_type text NOT NULL CHECK (target_type IN ('review', 'reply')),
  target_id uuid NOT NULL,
  reporter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL,
  reason text NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'personal_data', 'other')),
  note text CHECK (char_length(note) <= 500),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (target_id, reporter_id)
);

-- The store's rating summary as an exact incremental aggregate, split over a few shards so that
-- concurrent reviews of one store do not queue on one row; the summary is the shards' sum.
CREATE TABLE review_rating_tallies (
  store_id uuid NOT NULL,
  shard smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
  organization_id uuid NOT NULL,
  review_count integer NOT NULL DEFAULT 0,
  rating_sum bigint NOT NULL DEFAULT 0,
  count_1 integer NOT NULL DEFAULT 0,
  count_2 integer NOT NULL DEFAULT 0,
  count_3 integer NOT NULL DEFAULT 0,
  count_4 integer NOT NULL DEFAULT 0,
  count_5 integer NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, shard),
  FOREIGN KEY (store_id, organization_id) REFERENCES stores (id, organization_id) ON DELETE CASCADE
);
