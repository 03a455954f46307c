// The gateway's HTTP server: opens its read pool and the ui event hub, builds the app and listens on
// WEAVER_HOST:WEAVER_PORT. close() ends SSE streams and open connections, then the pools.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WeaverError, type Envelope } from '../../protocol/index.ts';
import { isLoopbackHost, type GatewayConfig } from '../../runtime/config.ts';
import { createPool } from '../../runtime/db/pool.ts';
import type { Logger } from '../../runtime/log.ts';
import { buildApp } from './app.ts';
import { EventsHub } from './events/hub.ts';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly databaseUrl: string;
  readonly publish: (events: readonly Envelope[]) => Promise<void>;
  readonly log: Logger;
  readonly keepAliveMs?: number;
  readonly pollMs?: number;
}

export interface RunningGateway {
  /** http://host:port as bound (the real port when WEAVER_PORT=0). */
  readonly url: string;
  readonly port: number;
  readonly hub: EventsHub;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const { config, log } = opts;
  // loadConfig refuses this too; checked again here so that no caller can open the port to the network without a key.
  if (!isLoopbackHost(config.host) && !config.apiKey) {
    throw new WeaverError('invalid_config', `the gateway will not listen on ${config.host} without an API key: set WEAVER_API_KEY, or bind to loopback with WEAVER_HOST=127.0.0.1`, [
      { path: 'WEAVER_API_KEY', message: 'required when WEAVER_HOST is not a loopback address' },
    ]);
  }
  const db = await createPool(opts.databaseUrl, { maximumPoolSize: 6, applicationName: 'gateway', statementTimeout: 30_000 });
  const hub = new EventsHub(opts.databaseUrl, log, opts.pollMs ?? 500);
  let server: Server | null = null;
  try {
    await hub.start();
    const app = buildApp({ config, db, publish: opts.publish, hub, log, keepAliveMs: opts.keepAliveMs ?? 15_000 });
    server = createServer(app);
    server.keepAliveTimeout = 65_000;
    await listen(server, config.host, config.port);
  } catch (error) {
    await hub.close().catch(() => {});
    await db.end().catch(() => {});
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info({ url }, `gateway listening on ${url}${config.apiKey ? ' (API key required)' : ''}`);
  const running = server;
  return {
    url,
    port,
    hub,
    async close() {
      const closed = new Promise<void>((resolve) => running.close(() => resolve()));
      await hub.close(); // ends the hub's feed; open SSE responses are cut below
      running.closeAllConnections();
      await closed;
      await db.end();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`the gateway cannot listen on ${host}:${port}: the port is in use (another Weaver?). Stop it or set WEAVER_PORT`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new Error(`the gateway cannot listen on ${host}: no such address on this machine. Check WEAVER_HOST`));
      else if (error.code === 'EACCES') reject(new Error(`the gateway may not listen on port ${port} (ports below 1024 need privileges). Set WEAVER_PORT above 1024`));
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}
