// The gateway's express app: who may ask (allow-list, CORS, rate limit, API key), one log line per
// request, bodies capped, every route declared once (validation + OpenAPI), and one error shape.
import express from 'express';
import type { GatewayDeps } from './deps.ts';
import { correlation } from './http/correlation.ts';
import { errorHandler, unknownRoute } from './http/errors.ts';
import { requestLog } from './http/request-log.ts';
import { webRoutes } from './http/web.ts';
import { mountRoutes, type RouteSpec } from './http/route.ts';
import { allowList, corsFor, ipAllowList, rateLimiter, requireApiKey, SseTokens } from './http/security.ts';
import { actorRoutes } from './routes/actors.ts';
import { authRoutes } from './routes/auth.ts';
import { backtestRoutes } from './routes/backtests.ts';
import { candleRoutes } from './routes/candles.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { eventRoutes, STREAM_PATH } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { orderRoutes } from './routes/orders.ts';
import { runRoutes } from './routes/runs.ts';
import { strategyRoutes } from './routes/strategies.ts';

/** Request bodies above this are refused with 413 (a run spec is a few KB). */
export const BODY_LIMIT = 256 * 1024;

export function buildApp(deps: GatewayDeps): express.Express {
  const { config, log } = deps;
  const tokens = config.apiKey ? new SseTokens(config.apiKey) : null;
  const routes: RouteSpec[] = [
    ...healthRoutes(deps),
    ...authRoutes(deps, tokens),
    ...runRoutes(deps),
    ...orderRoutes(deps),
    ...decisionRoutes(deps),
    ...candleRoutes(deps),
    ...backtestRoutes(deps),
    ...strategyRoutes(deps),
    ...actorRoutes(deps),
    ...eventRoutes(deps),
  ];
  routes.push(...openApiRoutes(routes));
  const publicPaths = new Set(routes.filter((r) => r.public).map((r) => r.path));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(correlation);
  app.use(requestLog(log));
  const allowed = allowList(config.allowIps);
  if (allowed) app.use(ipAllowList(allowed));
  app.use(corsFor(config.webOrigin));
  if (config.rateLimitPerMinute > 0) app.use(rateLimiter(config.rateLimitPerMinute));
  app.use(webRoutes());
  if (config.apiKey && tokens) app.use(requireApiKey(config.apiKey, tokens, (req) => publicPaths.has(req.path), [STREAM_PATH]));
  app.use(express.json({ limit: BODY_LIMIT, strict: true }));
  const router = express.Router({ strict: false, caseSensitive: true });
  mountRoutes(router, routes);
  app.use(router);
  app.use(unknownRoute);
  app.use(errorHandler(log));
  return app;
}
