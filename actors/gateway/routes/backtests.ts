// A run's results: GET /backtests/:run_id answers readBacktestResult's object (runtime/backtest/result.ts,
// what `weaver backtest --json` prints standalone), read in one snapshot, with the run's own status: a
// run not finished yet answers what is there so far (status running, starting …), never a 409.
import * as v from 'valibot';
import { sql } from 'slonik';
import type { RunSpec } from '../../../protocol/index.ts';
import { emptyInstanceResult, type BacktestResult } from '../../../runtime/backtest/result.ts';
import { readBacktestResult } from '../../../runtime/repos/results.ts';
import { runFromLog } from '../../../runtime/repos/run-log.ts';
import type { GatewayDeps } from '../deps.ts';
import { notFound } from '../http/errors.ts';
import { route, type RouteSpec } from '../http/route.ts';
import { UuidParam } from '../http/schemas.ts';


const num = v.number();
const Instance = v.object({
  instance_id: v.string(),
  strategy: v.string(),
  params: v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])),
  symbols: v.array(v.string()),
  status: v.string(),
  error: v.nullable(v.unknown()),
  final_equity: num,
  cash: num,
  positions: v.array(v.object({ symbol: v.string(), qty: num, avg_price: num, last_price: num })),
  stats: v.record(v.string(), v.nullable(v.union([num, v.string()]))),
  equity: v.object({ sampling: v.string(), t: v.array(num), e: v.array(num) }),
  orders: v.array(v.record(v.string(), v.unknown())),
  fills: v.array(v.record(v.string(), v.unknown())),
  trades: v.array(v.record(v.string(), v.unknown())),
});
const Result = v.object({ run_id: v.string(), status: v.string(), error: v.nullable(v.unknown()), instances: v.array(Instance) });

/** A run the router has been asked for but WallE has not written yet: its instances, nothing done. */
function notYetWritten(spec: RunSpec, status: BacktestResult['status']): BacktestResult {
  return { run_id: spec.run_id, status, error: null, instances: spec.instances.map((i) => emptyInstanceResult(i, spec.cash, 'pending')) };
}

export function backtestRoutes(deps: GatewayDeps): RouteSpec[] {
  const { db } = deps;
  return [
    route({
      method: 'get',
      path: '/backtests/:run_id',
      tag: 'runs',
      summary: 'A run\'s results: statistics, equity curve, orders, fills and trades per strategy instance',
      description:
        'The same object as `weaver backtest --json`. status is the run\'s: completed, failed or stopped when it has ended; ' +
        'created, starting, running or stopping while it has not, with the results written so far.',
      params: v.strictObject({ run_id: UuidParam }),
      query: v.strictObject({}),
      responses: { 200: { description: 'the results', schema: Result } },
      errors: [404],
      handle: async ({ params }): Promise<BacktestResult> => {
        const id = params.run_id;
        // One snapshot: the status and the rows it covers are read together.
        const answer = await db.transaction(async (t) => {
          await t.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
          return readBacktestResult(t, id);
        });
        if (answer) return answer;
        const logged = await runFromLog(db, id);
        if (!logged) throw notFound(`no run ${id} (see GET /runs)`, { run_id: id });
        return notYetWritten(logged.spec, logged.status);
      },
    }),
  ];
}
