// Parsing a candle file from disk. Small files (≤ 4 MB, about 80,000 rows) parse in this thread: a pool's
// start-up (~100 ms, threads loading the .ts modules) costs more than it saves there (4 MB parse in ~0.15 s). Bigger
// files are split at line boundaries into 2 MB chunks parsed by a piscina pool, one thread per core; the
// main thread counts lines per chunk first (a memchr scan, ~50 ms per 100 MB) so every row keeps its true
// line number, and merges the chunks in file order. Either way the whole file is validated before anything
// is returned, and the earliest problem in the file is the one reported.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { WeaverError } from '../../protocol/errors.ts';
import { invalidFile } from './columns.ts';
import { EMPTY_FILE, parseCandleCsv, type ParsedCandles, type ParseOptions } from './csv.ts';
import { readHeader } from './formats.ts';
import type { ChunkResult, ChunkTask } from './parse-worker.ts';
import { finishSeries } from './series.ts';

export const POOL_THRESHOLD_BYTES = 4 * 1024 * 1024;
const CHUNK_BYTES = 2 * 1024 * 1024;
const NEWLINE = 0x0a;

export interface ParseFileOptions extends ParseOptions {
  /** Bytes parsed so far of the file's total; called as chunks finish (once at the end for a small file). */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Files bigger than this go to the worker pool (tests lower it). */
  readonly poolThresholdBytes?: number;
  readonly chunkBytes?: number;
}

export interface ParsedFile extends ParsedCandles {
  readonly bytes: number;
  /** Worker threads used; 0 = parsed in this thread. */
  readonly threads: number;
}

export async function parseCandleFile(path: string, opts: ParseFileOptions): Promise<ParsedFile> {
  const bytes = await readFile(path).catch((error: unknown) => Promise.reject(unreadableFile(path, error)));
  const size = bytes.length;
  if (size <= (opts.poolThresholdBytes ?? POOL_THRESHOLD_BYTES)) {
    const parsed = parseCandleCsv(bytes.toString('utf8'), opts);
    opts.onProgress?.(size, size);
    return { ...parsed, bytes: size, threads: 0 };
  }
  return parseInPool(bytes, opts);
}

/** A file that cannot be read: not found, a directory, no permission. */
export function unreadableFile(path: string, error: unknown): WeaverError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory, not a file' : code === 'EACCES' ? 'permission denied' : String((error as Error).message ?? error);
  return new WeaverError('unreadable_file', `cannot read ${path}: ${why}`, { path, code: code ?? null });
}

async function parseInPool(bytes: Buffer, opts: ParseFileOptions): Promise<ParsedFile> {
  const head = findHeaderBytes(bytes);
  if (!head) throw invalidFile({ line: 1, reason: EMPTY_FILE });
  const header = readHeader(head.header, opts.format ?? 'auto', head.line);
  if (!header.ok) throw invalidFile(header.problem);

  const chunks = splitAtLines(bytes, head.bodyStart, head.line + 1, opts.chunkBytes ?? CHUNK_BYTES);
  const threads = Math.max(1, Math.min(availableParallelism(), chunks.length));
  const pool = new Piscina<ChunkTask, ChunkResult>({
    filename: new URL('./parse-worker.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
  });
  let done = head.bodyStart;
  try {
    const results = await Promise.all(
      chunks.map(async ({ start, end, firstLine }) => {
        const copy = new Uint8Array(bytes.subarray(start, end)); // a copy with its own ArrayBuffer, moved to the worker
        const task: ChunkTask = { bytes: copy, firstLine, map: header.map, timeframe: opts.timeframe };
        const result = await pool.run(task, { transferList: [copy.buffer] });
        done += end - start;
        opts.onProgress?.(done, bytes.length);
        return result;
      }),
    );
    const problem = results.find((r) => r.problem)?.problem;
    if (problem) throw invalidFile(problem);
    const series = finishSeries(results, opts.timeframe, head.line);
    return { ...series, format: header.map.format, rows: series.columns.t.length, bytes: bytes.length, threads };
  } finally {
    await pool.destroy();
  }
}

interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly firstLine: number;
}

/** Byte ranges of about `size` bytes, each ending just after a newline (the last at the end of the file). */
function splitAtLines(bytes: Buffer, from: number, firstLine: number, size: number): Chunk[] {
  const chunks: Chunk[] = [];
  let line = firstLine;
  for (let start = from; start < bytes.length; ) {
    const cut = bytes.indexOf(NEWLINE, Math.min(start + size, bytes.length) - 1);
    const end = cut === -1 ? bytes.length : cut + 1;
    chunks.push({ start, end, firstLine: line });
    for (let i = bytes.indexOf(NEWLINE, start); i !== -1 && i < end; i = bytes.indexOf(NEWLINE, i + 1)) line++;
    start = end;
  }
  return chunks;
}

/** The first non-blank line of the bytes (after a UTF-8 byte-order mark), its line number, where the rows begin. */
function findHeaderBytes(bytes: Buffer): { header: string; line: number; bodyStart: number } | null {
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let line = 1; pos < bytes.length; line++) {
    const nl = bytes.indexOf(NEWLINE, pos);
    const end = nl === -1 ? bytes.length : nl;
    const header = bytes.toString('utf8', pos, end).replace(/\r$/, '');
    pos = end + 1;
    if (header.trim() !== '') return { header, line, bodyStart: Math.min(pos, bytes.length) };
  }
  return null;
}
