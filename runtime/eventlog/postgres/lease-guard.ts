import { sql, type CommonQueryMethods } from 'slonik';
import type { Fencing } from '../types.ts';
import { SupersededError } from '../types.ts';

/**
 * Inside a transaction that appends on an actor's behalf: take the actor's lease row FOR SHARE, or fail
 * with SupersededError if the lease is no longer this instance's. The share lock makes a take-over
 * (an UPDATE of that row) wait until this transaction ends, so a zombie (an old worker still running
 * after its supervisor lost the lease) can never append, not even in the moment before it is stopped.
 */
export async function assertLeaseHeld(db: CommonQueryMethods, fencing: Fencing): Promise<void> {
  const held = await db.exists(sql.unsafe`
    SELECT 1 FROM actor_leases
    WHERE actor_id = ${fencing.actorId} AND holder = ${fencing.holder} AND fencing = ${fencing.token.toString()}::int8
      AND expires_at > clock_timestamp()
    FOR SHARE`);
  if (!held) throw new SupersededError('lease_lost');
}
