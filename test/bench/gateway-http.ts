// The gateway benchmark's REST load, in a thread of its own: `concurrency` keep-alive connections
// (node:http Agent, one request in flight on each) asking GET `path` back to back for `seconds`; requests/s
// and the latency of each request (sent → body read). node:http rather than fetch: on a 2-core machine the
// client's own per-request cost would otherwise cap the ceiling it is meant to show.
import http from 'node:http';
import { nowMs, serve, spread } from './gateway-rpc.ts';

function get(agent: http.Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

serve({
  /** One request to see what a path answers (status and body). */
  probe: ({ url }: { url: string }) =>
    new Promise((resolve, reject) => {
      http.get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body: body.slice(0, 2000) }));
      }).on('error', reject);
    }),
  load: async ({ url, concurrency, seconds }: { url: string; concurrency: number; seconds: number }) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    // Warm the connections and the route (JIT, pool connections) for half a second first.
    const warmUntil = nowMs() + 500;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (nowMs() < warmUntil) await get(agent, url);
    }));
    const latencies: number[] = [];
    const statuses: Record<number, number> = {};
    const started = nowMs();
    const deadline = started + seconds * 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (nowMs() < deadline) {
        const t = nowMs();
        const status = await get(agent, url);
        latencies.push(nowMs() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }));
    const elapsed = (nowMs() - started) / 1000;
    agent.destroy();
    return { requestsPerSecond: Math.round(latencies.length / elapsed), latencyMs: spread(latencies), statuses };
  },
});
