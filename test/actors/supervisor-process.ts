// One supervisor in a process of its own, for the multi-process tests: configured from the environment
// (DATABASE_URL, WEAVER_*), with the test kinds. Prints `ready <id>` when started; stops gracefully on
// SIGTERM or when its parent goes away (stdin closes), so a crashed test run leaves no process behind.
import pino from 'pino';
import { loadConfig } from '../../runtime/config.ts';
import { startSupervisor } from '../../runtime/supervisor/index.ts';
import { RECORDER_URL } from './work.ts';

const config = loadConfig(process.env);
if (!config.databaseUrl) throw new Error('supervisor-process.ts needs DATABASE_URL');
const sup = await startSupervisor({
  config,
  databaseUrl: config.databaseUrl,
  log: pino({ level: config.logLevel }, pino.destination(2)),
  kinds: { recorder: RECORDER_URL },
  tuning: { backoff: { initialBackoffMs: 50 } },
});
process.stdout.write(`ready ${sup.id}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sup.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
