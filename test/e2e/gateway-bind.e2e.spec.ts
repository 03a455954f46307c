// `weaver start` refuses to open the gateway to other machines without an API key: WEAVER_HOST=0.0.0.0 and
// no WEAVER_API_KEY exit 2 (bad configuration) with a message naming WEAVER_API_KEY, before anything starts.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from './weaver-process.ts';

const BIN = fileURLToPath(new URL('../../bin/weaver.js', import.meta.url));
let home: string;

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-bind-'));
});
afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

/** `node bin/weaver.js start` with Node 24 (the Node running the tests), in an empty directory (no .env). */
function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, 'start'], { cwd: home, env: cleanEnv({ WEAVER_HOME: path.join(home, 'weaver'), ...env }), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

describe('weaver start on a non-loopback address', () => {
  it.each(['0.0.0.0', '::'])('WEAVER_HOST=%s without WEAVER_API_KEY exits 2 naming WEAVER_API_KEY, having started nothing', async (host) => {
    const result = await start({ WEAVER_HOST: host });
    expect(result.code, `stderr: ${result.stderr}`).toBe(2);
    expect(result.stderr).toMatch(/^weaver: invalid configuration: WEAVER_HOST=.* WEAVER_API_KEY must be set/m);
    expect(result.stderr).toContain(`WEAVER_HOST=${host}`);
    expect(result.stderr).toContain('WEAVER_HOST=127.0.0.1'); // what to do instead
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // nothing was started: no embedded Postgres data directory under WEAVER_HOME
    await expect(fs.access(path.join(home, 'weaver', 'pg'))).rejects.toThrow();
  });

  it('a key that is too short is refused the same way', async () => {
    const result = await start({ WEAVER_HOST: '0.0.0.0', WEAVER_API_KEY: 'tooShortKey9' });
    expect(result.code, `stderr: ${result.stderr}`).toBe(2);
    expect(result.stderr).toContain('WEAVER_API_KEY');
    expect(result.stderr).not.toContain('tooShortKey9');
  });
});
