// Probes: /healthz (the process answers) and /readyz (the database answers, migrations are current, the
// actors Weaver needs are running); 503 with the reasons otherwise.
import { sql } from 'slonik';
import * as v from 'valibot';
import { MIGRATIONS_TABLE, migrationNames } from '../../../runtime/db/migrate.ts';
import type { GatewayDeps } from '../deps.ts';
import { HttpError } from '../http/errors.ts';
import { route } from '../http/route.ts';

const Health = v.object({ status: v.literal('ok') });
const Ready = v.object({ status: v.literal('ready'), actors: v.array(v.object({ id: v.string(), state: v.string() })) });

export function healthRoutes(deps: GatewayDeps) {
  return [
    route({
      method: 'get',
      path: '/healthz',
      tag: 'health',
      summary: 'The gateway process is up (no key needed)',
      public: true,
      responses: { 200: { description: 'up', schema: Health } },
      handle: () => ({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      tag: 'health',
      summary: 'Database reachable, migrations current, desired actors running',
      responses: { 200: { description: 'ready', schema: Ready } },
      errors: [503],
      handle: async () => {
        const reasons: string[] = [];
        let actors: { id: string; desired: string; state: string }[] = [];
        try {
          const applied = new Set(await deps.db.anyFirst(sql.type(v.object({ name: v.string() }))`SELECT name FROM ${sql.identifier([MIGRATIONS_TABLE])}`));
          const pending = (await migrationNames()).filter((m) => !applied.has(m));
          if (pending.length > 0) reasons.push(`migrations not applied: ${pending.join(', ')} (run weaver migrate)`);
          actors = [...(await deps.db.any(sql.type(v.object({ id: v.string(), desired: v.string(), state: v.string() }))`SELECT id, desired, state FROM actors ORDER BY id`))];
        } catch (error) {
          throw new HttpError(503, 'not_ready', `the database does not answer: ${(error as Error).message}`, { reasons: ['database unreachable'] });
        }
        const down = actors.filter((a) => a.desired === 'running' && a.state !== 'running');
        if (down.length > 0) reasons.push(`actors not running: ${down.map((a) => `${a.id} (${a.state})`).join(', ')}`);
        if (reasons.length > 0) throw new HttpError(503, 'not_ready', reasons.join('; '), { reasons });
        return { status: 'ready', actors: actors.map((a) => ({ id: a.id, state: a.state })) };
      },
    }),
  ];
}
