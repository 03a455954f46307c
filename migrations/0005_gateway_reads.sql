-- Up Migration
-- Reads the gateway makes of the log itself.
-- Thin ui.* events after a cursor (SSE catch-up, the REST tail, its live feed): a small share of the log,
-- found without walking every other event in between.
CREATE INDEX outbox_ui_events_idx ON outbox (tx, position) WHERE type LIKE 'ui.%';
-- A run's lifecycle events (run.Created … run.Stopped), the freshest word on its status: WallE's runs row
-- may lag the log by a batch.
CREATE INDEX outbox_run_events_idx ON outbox (run_id, tx, position) WHERE type LIKE 'run.%';

-- Down Migration
DROP INDEX outbox_run_events_idx;
DROP INDEX outbox_ui_events_idx;
