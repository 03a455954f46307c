// openDatabase hands one callback both Weaver's own lines about the embedded Postgres and Postgres' raw
// output (initdb, startup LOG lines): about 30 lines on a first start. Only the former, and Postgres'
// errors, are worth showing by default.
export type DbLineLevel = 'info' | 'warn' | 'debug';

export function dbLineLevel(line: string): DbLineLevel {
  if (/^(Using|Started|Stopping|Removing) /.test(line)) return 'info';
  if (/^Embedded Postgres .*exited unexpectedly/.test(line) || /\b(FATAL|PANIC|ERROR):/.test(line)) return 'warn';
  return 'debug';
}
