// Command-line flags of the benchmarks: `--json` (one JSON object on stdout; progress lines go nowhere) and
// positive integer options (`--days 30`), a bad value exiting 2 with an example.
export const json = process.argv.includes('--json');

/** A progress line on stderr (none with --json). */
export const say = (line: string): void => {
  if (!json) console.error(line);
};

export function intFlag(name: string, fallback: number, script: string): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const n = Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name} must be a positive integer, got ${process.argv[at + 1]}; e.g. npm run ${script} -- ${name} ${fallback}`);
    process.exit(2);
  }
  return n;
}
