import type { DatabasePool } from 'slonik';
import { createPool } from '../../db/pool.ts';

/**
 * The connection consumers read pages on. Its session steers the planner to the one plan that suits
 * "the next N rows after (tx, position)": an index scan in order that stops at the LIMIT. Without stats
 * (a young or freshly bulk-loaded outbox) Postgres guessed ~1,300 matching rows and chose a bitmap scan
 * plus a sort of everything after the cursor: 50 ms for a 1,000-row page out of 20,000 rows here, against
 * 0.6 ms for the index scan, and it grows with the backlog. Only reads run here.
 */
export function createReaderPool(url: string, applicationName: string): Promise<DatabasePool> {
  const u = new URL(url);
  u.searchParams.set('options', '-c enable_bitmapscan=off -c enable_sort=off -c enable_seqscan=off');
  return createPool(u.toString(), { maximumPoolSize: 1, applicationName });
}
