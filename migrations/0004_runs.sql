-- Up Migration
-- Business tables of runs, written only by WallE (from the events in the log), read through runtime/repos.
CREATE TABLE runs (
  id         uuid        PRIMARY KEY,
  mode       text        NOT NULL CHECK (mode IN ('backtest', 'live')),
  status     text        NOT NULL CHECK (status IN ('created', 'starting', 'running', 'stopping', 'completed', 'failed', 'stopped')),
  spec       jsonb       NOT NULL,
  error      jsonb,
  progress   jsonb,
  started_at timestamptz,
  ended_at   timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_created_idx ON runs (created_at DESC, id DESC);

-- One strategy instance of a run (one Marvin actor).
CREATE TABLE strategy_instances (
  id         uuid        PRIMARY KEY,
  run_id     uuid        NOT NULL REFERENCES runs (id),
  strategy   text        NOT NULL,
  params     jsonb       NOT NULL,
  symbols    text[]      NOT NULL,
  status     text        NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'stopped')),
  error      jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategy_instances_run_idx ON strategy_instances (run_id);

-- Orders by their deterministic client order id (a function of run, instance and decision).
CREATE TABLE orders (
  id              text        PRIMARY KEY,
  run_id          uuid        NOT NULL,
  instance_id     uuid        NOT NULL,
  symbol          text        NOT NULL,
  side            text        NOT NULL CHECK (side IN ('buy', 'sell')),
  type            text        NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit')),
  qty             numeric     NOT NULL,
  limit_price     numeric,
  stop_price      numeric,
  status          text        NOT NULL CHECK (status IN ('new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')),
  filled_qty      numeric     NOT NULL DEFAULT 0,
  avg_fill_price  numeric,
  reason          text,
  decided_at      timestamptz NOT NULL,
  bar_index       integer     NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_run_idx ON orders (run_id, decided_at, id);

CREATE TABLE fills (
  id          text        PRIMARY KEY,
  order_id    text        NOT NULL,
  run_id      uuid        NOT NULL,
  instance_id uuid        NOT NULL,
  symbol      text        NOT NULL,
  side        text        NOT NULL CHECK (side IN ('buy', 'sell')),
  qty         numeric     NOT NULL,
  price       numeric     NOT NULL,
  fee         numeric     NOT NULL,
  ts          timestamptz NOT NULL,
  bar_index   integer     NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fills_run_idx ON fills (run_id, ts, id);

-- What a strategy decided on a bar, and why.
CREATE TABLE decisions (
  id          text        PRIMARY KEY,
  run_id      uuid        NOT NULL,
  instance_id uuid        NOT NULL,
  ts          timestamptz NOT NULL,
  bar_index   integer     NOT NULL,
  action      text        NOT NULL,
  reason      text        NOT NULL,
  details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_run_idx ON decisions (run_id, ts, id);

-- The result of one strategy instance's backtest: statistics, final portfolio, equity curve, trades.
CREATE TABLE backtests (
  instance_id     uuid        PRIMARY KEY,
  run_id          uuid        NOT NULL,
  status          text        NOT NULL,
  final_equity    numeric     NOT NULL,
  cash            numeric     NOT NULL,
  stats           jsonb       NOT NULL,
  equity_curve    jsonb       NOT NULL,
  positions       jsonb       NOT NULL,
  fill_count      integer     NOT NULL,
  order_count     integer     NOT NULL,
  trade_count     integer     NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backtests_run_idx ON backtests (run_id);

-- Round-trip trades of a backtest (an entry and its exit; exit null while still open at the end).
CREATE TABLE trades (
  instance_id uuid        NOT NULL,
  seq         integer     NOT NULL,
  run_id      uuid        NOT NULL,
  symbol      text        NOT NULL,
  side        text        NOT NULL CHECK (side IN ('long', 'short')),
  entry_ts    timestamptz NOT NULL,
  exit_ts     timestamptz,
  entry_price numeric     NOT NULL,
  exit_price  numeric,
  qty         numeric     NOT NULL,
  pnl         numeric     NOT NULL,
  fees        numeric     NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, seq)
);

-- Down Migration
DROP TABLE trades;
DROP TABLE backtests;
DROP TABLE decisions;
DROP TABLE fills;
DROP TABLE orders;
DROP TABLE strategy_instances;
DROP TABLE runs;
