// The `--url` option of the commands that go through the running gateway, and the choice between the
// gateway and the database: an explicit --url must answer (exit 3 otherwise); without one, a command that
// can also work on the database falls back to it, with one notice line on stderr.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { GatewayClient, gatewayTarget } from './gateway-client.ts';
import { note } from './output.ts';

export interface UrlFlag {
  url?: string;
}

/** Adds `--url <url>` (default: WEAVER_URL, else http://WEAVER_HOST:WEAVER_PORT). */
export function urlOption<C extends Command>(command: C): C {
  return command.option('--url <url>', "the running Weaver's gateway (default: WEAVER_URL, else http://WEAVER_HOST:WEAVER_PORT); WEAVER_API_KEY is sent as X-API-Key") as C;
}

/** The client for --url or the configured gateway. */
export function gatewayClient(flags: UrlFlag, config: Config): GatewayClient {
  return new GatewayClient(gatewayTarget(flags.url, config.gatewayUrl, config.gateway.apiKey));
}

/**
 * The gateway when one answers; null (after a notice naming `instead`) when none answers at the configured
 * address. With --url given, an unreachable gateway is an error (exit 3), never a silent fallback.
 */
export async function gatewayOrNull(flags: UrlFlag, config: Config, instead: string): Promise<GatewayClient | null> {
  const client = gatewayClient(flags, config);
  // An explicit --url is used as given: its first request fails with the real reason if nothing answers.
  if (flags.url !== undefined || (await client.alive())) return client;
  note(`no gateway at ${client.target.url}; ${instead}`);
  return null;
}
