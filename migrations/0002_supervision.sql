-- Up Migration
-- Actors the user wants running (desired state), written only by the supervisor that handles the
-- actor.* command; every supervisor reconciles towards it.
CREATE TABLE actors (
  id              text        PRIMARY KEY,
  kind            text        NOT NULL,
  config          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  desired         text        NOT NULL DEFAULT 'running' CHECK (desired IN ('running', 'stopped')),
  generation      integer     NOT NULL DEFAULT 0,   -- bumped by actor.Restart
  last_command_id uuid,
  state           text        NOT NULL DEFAULT 'pending',
  restarts        integer     NOT NULL DEFAULT 0,
  last_error      jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A supervisor process. heartbeat_at tells the living from the dead.
CREATE TABLE supervisors (
  id           text        PRIMARY KEY,
  host         text        NOT NULL,
  pid          integer     NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at   timestamptz
);

-- An actor runs only where its lease is held. fencing grows on every change of holder, and the
-- consumer's offset compare-and-set checks it, so a zombie that lost its lease cannot commit.
CREATE TABLE actor_leases (
  actor_id   text        PRIMARY KEY,
  holder     text        NOT NULL,
  fencing    bigint      NOT NULL DEFAULT 1,
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE actor_leases;
DROP TABLE supervisors;
DROP TABLE actors;
