// Who may talk to the gateway: the IP allow-list (403), the API key (401), the per-address rate limit
// (429) and CORS for the one configured web origin. The key is compared in constant time and never
// logged; browsers' EventSource cannot set headers, so SSE also takes a short-lived token made with the key.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import cors from 'cors';
import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { GatewayConfig } from '../../../runtime/config.ts';
import { HttpError } from './errors.ts';

export const API_KEY_HEADER = 'x-api-key';
const TOKEN_TTL_MS = 5 * 60_000;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time equality of two secrets (their digests have the same length whatever the inputs). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Tokens for SSE: `<expiry ms>.<nonce>.<hmac>`, signed with a secret derived from the key. */
export class SseTokens {
  readonly #secret: Buffer;
  constructor(apiKey: string) {
    this.#secret = createHmac('sha256', apiKey).update('weaver sse token').digest();
  }
  issue(now = Date.now()): { token: string; expires_at: string } {
    const expires = now + TOKEN_TTL_MS;
    const body = `${expires}.${randomBytes(9).toString('base64url')}`;
    return { token: `${body}.${this.#sign(body)}`, expires_at: new Date(expires).toISOString() };
  }
  verify(token: string, now = Date.now()): boolean {
    const m = /^(\d{13})\.([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return false;
    const body = `${m[1]}.${m[2]}`;
    return sameSecret(m[3]!, this.#sign(body)) && Number(m[1]) > now;
  }
  #sign(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url');
  }
}

/** The key check for every route but the public ones; `tokens` also accepted as ?token= on the SSE route. */
export function requireApiKey(apiKey: string, tokens: SseTokens, isPublic: (req: Request) => boolean, tokenPaths: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'OPTIONS' || isPublic(req)) return next();
    const given = req.get(API_KEY_HEADER);
    if (given !== undefined && sameSecret(given, apiKey)) return next();
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token !== undefined && tokenPaths.includes(req.path) && tokens.verify(token)) return next();
    if (given === undefined && token === undefined) {
      return next(new HttpError(401, 'unauthorized', 'this Weaver needs its API key: send it in the X-API-Key header (SSE clients: ?token= from POST /auth/sse-token)'));
    }
    next(new HttpError(401, 'unauthorized', token !== undefined && given === undefined ? 'the SSE token is invalid or expired; get a new one with POST /auth/sse-token' : 'wrong API key in X-API-Key'));
  };
}

/** Parse WEAVER_ALLOW_IPS entries (addresses and CIDR blocks); a bad one throws naming it. */
export function allowList(entries: readonly string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits, ...rest] = entry.split('/');
    const family = isIP(addr ?? '');
    const maxBits = family === 4 ? 32 : 128;
    if (family === 0 || rest.length > 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) {
      throw new Error(`WEAVER_ALLOW_IPS: ${entry} is not an IP address or CIDR block (e.g. 192.168.1.0/24)`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr!, type);
    else list.addSubnet(addr!, Number(bits), type);
  }
  return list;
}

/** Normalise ::ffff:1.2.3.4 (IPv4 seen on a dual-stack socket) to 1.2.3.4. */
export function clientAddress(req: Request): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

export function ipAllowList(list: BlockList): RequestHandler {
  return (req, _res, next) => {
    const addr = clientAddress(req);
    const family = isIP(addr);
    if (family !== 0 && list.check(addr, family === 4 ? 'ipv4' : 'ipv6')) return next();
    next(new HttpError(403, 'forbidden', `${addr || 'this address'} is not in WEAVER_ALLOW_IPS`));
  };
}

export function corsFor(origin: string | null): RequestHandler {
  return cors({
    // A list, not the bare string: cors then answers only a request from that origin (a bare string is
    // sent to every origin, leaving the refusal to the browser).
    origin: origin ? [origin] : false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'X-API-Key', 'X-Correlation-Id', 'Last-Event-ID'],
    exposedHeaders: ['Location', 'X-Correlation-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
    maxAge: 600,
  });
}

export function rateLimiter(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => clientAddress(req),
    handler: (_req, _res, next) => next(new HttpError(429, 'rate_limited', `more than ${perMinute} requests a minute from this address; wait and retry (see the Retry-After header)`)),
  });
}

export type { GatewayConfig };
