-- Up Migration
-- Cursor pages of orders and fills (GET /orders, GET /fills) in commit order, as the event log reads the
-- outbox: each row keeps the 64-bit id of the transaction that inserted it (an update leaves it as it
-- was), and a page reads only behind the horizon, tx < pg_snapshot_xmin(pg_current_snapshot()). Every
-- transaction below the horizon has finished, and one that commits later has a larger tx, so its rows
-- sort after any cursor already handed out: a client paging to the end sees every row exactly once.
-- Rows that exist now all get this migration's transaction id; their ids order them.
ALTER TABLE orders ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE fills ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();

-- The next page after (tx, id), unfiltered or within a run or a strategy instance: an index scan in
-- order that stops at the limit. Other filters (symbol, status, time) are applied along that scan.
CREATE INDEX orders_tx_idx ON orders (tx, id);
CREATE INDEX orders_run_tx_idx ON orders (run_id, tx, id);
CREATE INDEX orders_instance_tx_idx ON orders (instance_id, tx, id);
CREATE INDEX fills_tx_idx ON fills (tx, id);
CREATE INDEX fills_run_tx_idx ON fills (run_id, tx, id);
CREATE INDEX fills_instance_tx_idx ON fills (instance_id, tx, id);
-- The strategy filter: the instances of a strategy.
CREATE INDEX strategy_instances_strategy_idx ON strategy_instances (strategy);

-- Down Migration
DROP INDEX strategy_instances_strategy_idx;
DROP INDEX fills_instance_tx_idx;
DROP INDEX fills_run_tx_idx;
DROP INDEX fills_tx_idx;
DROP INDEX orders_instance_tx_idx;
DROP INDEX orders_run_tx_idx;
DROP INDEX orders_tx_idx;
ALTER TABLE fills DROP COLUMN tx;
ALTER TABLE orders DROP COLUMN tx;
