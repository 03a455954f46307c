// `weaver strategies`: the strategies Marvin can run and their parameters.
import type { Command } from 'commander';
import { describeParams } from '../../actors/marvin/params.ts';
import { findStrategy, strategyNames } from '../../actors/marvin/strategies/index.ts';
import { formatTable, printJson, printLine } from './output.ts';

export function registerStrategies(program: Command): void {
  program
    .command('strategies')
    .description('the strategies you can backtest, with their parameters and defaults')
    .option('--json', 'print a JSON array')
    .action((flags: { json?: boolean }) => {
      const all = strategyNames().map((name) => {
        const def = findStrategy(name);
        return { name, description: def.description, params: describeParams(def) };
      });
      if (flags.json) return printJson(all);
      for (const s of all) {
        printLine(`${s.name}: ${s.description}`);
        printLine(
          formatTable(
            [
              { header: 'param', value: (p) => p.name },
              { header: 'type', value: (p) => p.type },
              { header: 'default', value: (p) => String(p.default) },
              { header: 'min', value: (p) => p.min },
              { header: 'max', value: (p) => p.max },
              { header: 'meaning', value: (p) => p.description },
            ],
            s.params,
          )
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n'),
        );
        printLine();
      }
    });
}
