// What the gateway's routes are handed: reads go to the database through runtime/repos, writes only
// append commands to the log (the owning actors act on them), live events come from the hub.
import type { DatabasePool } from 'slonik';
import type { Envelope } from '../../protocol/index.ts';
import type { GatewayConfig } from '../../runtime/config.ts';
import type { Logger } from '../../runtime/log.ts';
import type { EventsHub } from './events/hub.ts';

export interface GatewayDeps {
  readonly config: GatewayConfig;
  /** Reads of business tables and the log (runtime/repos). */
  readonly db: DatabasePool;
  /** Append commands for the owning actors (the gateway never writes business tables). */
  readonly publish: (events: readonly Envelope[]) => Promise<void>;
  readonly hub: EventsHub;
  readonly log: Logger;
  /** SSE keep-alive comment interval. */
  readonly keepAliveMs: number;
}
