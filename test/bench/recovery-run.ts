// npx node test/bench/recovery-run.ts [--json]: the recovery figure alone, on a fresh test database.
import { startTestPostgres } from '../helpers/postgres.ts';
import { measureRecovery } from './recovery.ts';

const db = await startTestPostgres();
try {
  const ms = await measureRecovery(await db.newDatabase());
  console.log(process.argv.includes('--json') ? JSON.stringify({ recovery_ms: ms }) : `recovery, killed actor → handled: ${ms} ms`);
} finally {
  await db.stop();
}
