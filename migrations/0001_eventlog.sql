-- Up Migration
-- The event log (DESIGN §5). Consumers read behind the transaction horizon with the cursor (tx, position):
-- a sequence value is taken at INSERT but becomes visible at COMMIT, so `position > offset` alone loses
-- events when transactions commit out of order. `tx` is the 64-bit xid8, never the wrapping 32-bit xmin.
CREATE TABLE outbox (
  position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx           xid8        NOT NULL DEFAULT pg_current_xact_id(),
  id           uuid        NOT NULL,
  kind         text        NOT NULL,
  type         text        NOT NULL,
  version      integer     NOT NULL,
  run_id       uuid,
  corr_id      uuid,
  causation_id uuid,
  trace_id     uuid,
  ts           timestamptz NOT NULL,
  producer     text        NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  payload      jsonb       NOT NULL,
  appended_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX outbox_id_key ON outbox (id);
CREATE INDEX outbox_tx_position_idx ON outbox (tx, position);

-- One row per consumer: its cursor, the actor's state snapshot taken with it, and a compare-and-set
-- on (tx, position) so an older instance of the same actor (a zombie) cannot advance it.
CREATE TABLE consumer_offsets (
  consumer   text        PRIMARY KEY,
  tx         xid8        NOT NULL DEFAULT '0'::xid8,
  position   bigint      NOT NULL DEFAULT 0,
  state      jsonb,
  handled    bigint      NOT NULL DEFAULT 0,
  -- The event whose handler threw, and how often, kept outside the rolled-back batch so that an actor
  -- that crashes on it is not restarted into it for ever: after maxAttempts it goes to dead_letters.
  -- A failure of another event starts the count again; a committed event is never read again, so a
  -- stale entry is harmless.
  failing_event    uuid,
  failing_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Events a consumer could not handle: invalid envelope, unknown type, or a handler that threw N times.
-- `raw` keeps the row as read so nothing is lost; `error` is the error model {code, message, details, correlation_id}.
CREATE TABLE dead_letters (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer   text        NOT NULL,
  tx         xid8        NOT NULL,
  position   bigint      NOT NULL,
  event_id   uuid,
  type       text,
  error      jsonb       NOT NULL,
  raw        jsonb       NOT NULL,
  attempts   integer     NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (consumer, position)
);

-- Down Migration
DROP TABLE dead_letters;
DROP TABLE consumer_offsets;
DROP TABLE outbox;
