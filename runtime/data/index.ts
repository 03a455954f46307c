// Market data in: candle files parsed and validated (in worker threads when big), deterministic demo bars,
// and the import/seed flows that write them through WallE's candle writer with their data.CandlesImported
// events in one transaction. It never writes a row before the whole input is known to be valid.
export type { CandleColumns, FileProblem } from './columns.ts';
export { parseCandleCsv, type ParsedCandles, type ParseOptions } from './csv.ts';
export { CSV_FORMATS, type CsvFormat, type DetectedFormat } from './formats.ts';
export { parseCandleFile, POOL_THRESHOLD_BYTES, type ParsedFile, type ParseFileOptions } from './parse-pool.ts';
export { importCandles, normalizeSymbol, type ImportOptions, type ImportProgress, type ImportSummary } from './import.ts';
export { DEMO_DEFAULTS, DEMO_END_MS, DEMO_SYMBOLS, demoSymbols, generateDemoBars, writeDemoBars, writeDemoData } from './demo.ts';
export type { DemoOptions, DemoProgress, DemoSummary, DemoSymbol, DemoWriteOptions } from './demo.ts';
export { seedDemoDataIfEmpty, type SeedOptions, type SeedOutcome } from './seed.ts';
export { formatTimestamp, parseTimestamp } from './timestamps.ts';
