// Append one actor.* command to the log and return where it landed. The NOTIFY goes after the commit as its
// own statement (inside the transaction it would serialise every committer on one lock, EVENTLOG.md); it is
// awaited because the CLI closes its pool right after, and a lost wake-up costs the supervisor one poll.
import type { DatabasePool } from 'slonik';
import * as v from 'valibot';
import type { Cursor, Envelope } from '../../../protocol/index.ts';
import { sql } from '../../db/pool.ts';
import { appendEvents } from '../../eventlog/postgres/append.ts';
import { OUTBOX_CHANNEL } from '../../eventlog/postgres/wakeups.ts';

const Position = v.object({ tx: v.string(), position: v.bigint() });

export async function appendCommand(pool: DatabasePool, command: Envelope): Promise<Cursor> {
  const row = await pool.transaction(async (t) => {
    await appendEvents(t, [command]);
    return t.one(sql.type(Position)`SELECT tx::text AS tx, position FROM outbox WHERE id = ${command.id}`);
  }, 0);
  await pool.query(sql.unsafe`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`);
  return { tx: BigInt(row.tx), position: row.position };
}
