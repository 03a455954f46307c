-- Up Migration
-- Bars, named by their start (UTC). Written only by WallE's candle writer (the import command and the
-- demo seeder use it); read by everyone through runtime/repos. The natural key is the primary key.
CREATE TABLE candles (
  symbol     text        NOT NULL,
  timeframe  text        NOT NULL CHECK (timeframe IN ('1m', '5m', '15m', '1h', '1d')),
  ts         timestamptz NOT NULL,
  open       numeric     NOT NULL,
  high       numeric     NOT NULL,
  low        numeric     NOT NULL,
  close      numeric     NOT NULL,
  volume     numeric     NOT NULL DEFAULT 0,
  source     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, ts),
  CHECK (high >= low AND volume >= 0)
);

-- Down Migration
DROP TABLE candles;
