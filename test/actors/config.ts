import type { Config } from '../../runtime/config.ts';

/** The supervisor configuration of the supervisor tests: short TTL, heartbeat and hang timeout, 64 MB heaps (for OOM). */
export function testConfig(over: Partial<Config> = {}): Config {
  return {
    databaseUrl: undefined, home: '.weaver', logLevel: 'error', supervisorId: undefined,
    leaseTtlMs: 2000, heartbeatMs: 100, hangTimeoutMs: 1000, pollIntervalMs: 50,
    restartIntensity: 5, restartPeriodMs: 60_000, workerMaxOldMb: 64, defaultActors: [], demoData: false,
    gateway: { host: '127.0.0.1', port: 0, apiKey: null, allowIps: [], webOrigin: null, rateLimitPerMinute: 0 },
    gatewayUrl: 'http://127.0.0.1:7400',
    ...over,
  };
}
