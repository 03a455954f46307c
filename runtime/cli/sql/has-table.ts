// Whether a table exists yet: `status` must describe a database that was never migrated without failing.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { sql } from '../../db/pool.ts';

export async function hasTable(db: CommonQueryMethods, name: string): Promise<boolean> {
  return db.oneFirst(sql.type(v.object({ found: v.boolean() }))`SELECT to_regclass(${name}) IS NOT NULL AS found`);
}
