// WallE's write of a strategy's decision on a bar (what it did and why), keyed by the decision id.
import type { CommonQueryMethods } from 'slonik';
import type { PayloadOf, StrategyDecisionMade } from '../../../protocol/index.ts';
import { sql } from '../../../runtime/db/pool.ts';

/** strategy.DecisionMade. The payload's order_id has no column in decisions (migration 0004), so it is not kept. */
export async function insertDecision(db: CommonQueryMethods, p: PayloadOf<typeof StrategyDecisionMade>): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO decisions (id, run_id, instance_id, ts, bar_index, action, reason, details)
    VALUES (${p.decision_id}, ${p.run_id}::uuid, ${p.instance_id}::uuid, ${p.ts}::timestamptz, ${p.bar_index},
            ${p.action}, ${p.reason}, ${sql.jsonb(p.details as never)})
    ON CONFLICT (id) DO NOTHING`);
}
