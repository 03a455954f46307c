// The gateway benchmark's SSE clients, in a thread of their own (never the server's): n streams of
// GET /events/stream over node:http, each parsed with eventsource-parser. A message's receive time is taken
// when its chunk arrives (one clock read per chunk, before parsing), and its latency is that time minus the
// append stamp in its order id. Each client also checks that it gets every measured event once, in order.
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import { nowMs, serve, stampOf, threadCpuMeter } from './gateway-rpc.ts';

interface Client {
  req: http.ClientRequest;
  received: number;
  lastSeq: number;
  outOfOrder: number;
}

let clients: Client[] = [];
let latencies: number[] = [];

function open(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: false });
    const req = http.get(`${url}/events/stream`, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET /events/stream answered ${res.statusCode}`));
      const client: Client = { req, received: 0, lastSeq: -1, outOfOrder: 0 };
      let at = 0;
      const parser = createParser({
        onEvent: (message) => {
          const stamp = stampOf((JSON.parse(message.data) as { payload?: { order_id?: unknown } }).payload?.order_id);
          if (!stamp || stamp.seq < 0) return;
          latencies.push(at - stamp.t);
          client.received++;
          if (stamp.seq <= client.lastSeq) client.outOfOrder++;
          client.lastSeq = stamp.seq;
        },
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        at = nowMs();
        parser.feed(chunk);
      });
      res.on('error', () => {});
      resolve(client);
    });
    req.on('error', reject);
  });
}

serve({
  connect: async ({ url, n }: { url: string; n: number }) => {
    clients = await Promise.all(Array.from({ length: n }, () => open(url)));
    latencies = [];
  },
  /** Resolves once every client has `expected` measured events, or after timeoutMs; the latencies and counts. */
  collect: async ({ expected, timeoutMs }: { expected: number; timeoutMs: number }) => {
    const deadline = nowMs() + timeoutMs;
    while (clients.some((c) => c.received < expected) && nowMs() < deadline) await new Promise((r) => setTimeout(r, 20));
    const counts = clients.map((c) => c.received);
    const outOfOrder = clients.reduce((s, c) => s + c.outOfOrder, 0);
    const taken = Float64Array.from(latencies);
    latencies = [];
    for (const c of clients) {
      c.received = 0;
      c.lastSeq = -1;
      c.outOfOrder = 0;
    }
    return { latencies: taken, minReceived: Math.min(...counts), maxReceived: Math.max(...counts), outOfOrder };
  },
  cpu: threadCpuMeter(),
  close: () => {
    for (const c of clients) c.req.destroy();
    clients = [];
  },
});
