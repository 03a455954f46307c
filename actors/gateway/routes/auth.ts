// POST /auth/sse-token: a short-lived token for SSE clients that cannot send headers (EventSource).
import * as v from 'valibot';
import type { GatewayDeps } from '../deps.ts';
import { HttpError } from '../http/errors.ts';
import { route } from '../http/route.ts';
import type { SseTokens } from '../http/security.ts';

const Token = v.object({ token: v.string(), expires_at: v.string() });

export function authRoutes(_deps: GatewayDeps, tokens: SseTokens | null) {
  return [
    route({
      method: 'post',
      path: '/auth/sse-token',
      tag: 'auth',
      summary: 'A token for GET /events/stream?token=… (valid 5 minutes; needs the API key)',
      responses: { 200: { description: 'the token', schema: Token } },
      errors: [409],
      handle: () => {
        if (!tokens) throw new HttpError(409, 'no_api_key', 'this Weaver has no API key (WEAVER_API_KEY), so SSE needs no token');
        return tokens.issue();
      },
    }),
  ];
}
