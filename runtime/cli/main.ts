// The `weaver` command line: parses arguments with commander, runs one command, and turns every failure
// into one line on stderr and a documented exit code (exit-codes.ts). Commands append actor.* commands
// to the log, read tables, or write candles (`data`); the supervisor alone acts on actors.
import './env-first.ts';
import { Command, CommanderError } from 'commander';
import { registerActors } from './actors.ts';
import { registerBacktest } from './backtest.ts';
import { registerRuns } from './runs.ts';
import { registerStrategies } from './strategies.ts';
import { registerData } from './data.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { registerMigrate } from './migrate.ts';
import { errorJson, reportError, wantsJson } from './output.ts';
import { registerStart } from './start.ts';
import { registerStatus } from './status.ts';
import { registerSweep } from './sweep.ts';
import { registerEvents } from './events.ts';

const json = wantsJson(process.argv.slice(2));

const program = new Command('weaver')
  .description('Weaver: self-hosted automated trading; actors on a Postgres event log.')
  .version('0.1.0', '-V, --version')
  .showHelpAfterError(json ? false : '(add --help for usage)')
  .addHelpText('after', `\nExamples:\n  $ npx weaver start\n  $ npx weaver status\n  $ npx weaver actors list --json\n${EXIT_CODES_HELP}`)
  // Commander's own usage errors exit 1 by default; scripts are promised 2. Set before the subcommands
  // are added, which copy these settings when they are created.
  .exitOverride()
  .configureOutput({
    outputError: (text, write) => write(json ? errorJson({ code: 'bad_usage', message: text.replace(/^error: /, '').trim(), correlation_id: null }) + '\n' : text),
  });

registerStart(program);
registerMigrate(program);
registerStatus(program);
registerActors(program);
registerBacktest(program);
registerRuns(program);
registerStrategies(program);
registerData(program);
registerSweep(program);
registerEvents(program);

let code: number;
try {
  await program.parseAsync(process.argv);
  code = Number(process.exitCode ?? EXIT.ok);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with exitCode 0; anything else commander refused is bad usage.
    code = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    code = reportError(error, json);
  }
}
process.exitCode = code;
// Every command closes what it opened, so the process ends by itself; this only covers a handle some
// library forgot (a pool timer, a socket), which would otherwise keep a finished CLI hanging.
setTimeout(() => process.exit(code), 2_000).unref();
