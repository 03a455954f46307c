// The gateway's security pieces on their own: SSE tokens (signed with the key, short-lived), the constant-time
// key comparison, the allow-list parser, and startGateway's own refusal to listen beyond loopback without a key.
import { describe, expect, it } from 'vitest';
import { WeaverError } from '../../protocol/index.ts';
import { startGateway } from '../../actors/gateway/server.ts';
import { allowList, sameSecret, SseTokens } from '../../actors/gateway/http/security.ts';
import { createLogger } from '../../runtime/log.ts';

const KEY = 'test-key-0123456789abcdef';

describe('SSE tokens', () => {
  const tokens = new SseTokens(KEY);

  it('a fresh token verifies; it expires five minutes later', () => {
    const now = Date.parse('2026-01-02T03:04:05Z');
    const { token, expires_at } = tokens.issue(now);
    expect(expires_at).toBe('2026-01-02T03:09:05.000Z');
    expect(tokens.verify(token, now)).toBe(true);
    expect(tokens.verify(token, now + 5 * 60_000 - 1)).toBe(true);
    expect(tokens.verify(token, now + 5 * 60_000)).toBe(false);
  });

  it('the token does not contain the key', () => {
    expect(tokens.issue().token).not.toContain(KEY);
  });

  it('a token signed with another key, a tampered one and malformed ones are refused', () => {
    const other = new SseTokens('another-key-0123456789abc').issue().token;
    expect(tokens.verify(other)).toBe(false);
    const { token } = tokens.issue();
    const [expiry, nonce, sig] = token.split('.') as [string, string, string];
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    expect(tokens.verify(`${expiry}.${nonce}.${flip(sig)}`)).toBe(false);
    expect(tokens.verify(`${expiry}.${flip(nonce)}.${sig}`)).toBe(false);
    expect(tokens.verify(`${Number(expiry) + 1_000_000}.${nonce}.${sig}`)).toBe(false); // a later expiry, same signature
    for (const bad of ['', KEY, 'a.b.c', `${token}x`, `${token}.`, token.replaceAll('.', '-')]) expect(tokens.verify(bad)).toBe(false);
  });
});

describe('sameSecret', () => {
  it('is equality, whatever the lengths', () => {
    expect(sameSecret(KEY, KEY)).toBe(true);
    expect(sameSecret(KEY.slice(0, -1), KEY)).toBe(false);
    expect(sameSecret(`${KEY}x`, KEY)).toBe(false);
    expect(sameSecret('', KEY)).toBe(false);
    expect(sameSecret(KEY.toUpperCase(), KEY)).toBe(false);
  });
});

describe('allowList', () => {
  it('takes addresses and CIDR blocks of both families', () => {
    const list = allowList(['10.1.2.3', '192.168.0.0/16', '::1', 'fd00::/8'])!;
    expect(list.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(list.check('10.1.2.4', 'ipv4')).toBe(false);
    expect(list.check('192.168.77.1', 'ipv4')).toBe(true);
    expect(list.check('::1', 'ipv6')).toBe(true);
    expect(list.check('fd12::1', 'ipv6')).toBe(true);
    expect(list.check('2001:db8::1', 'ipv6')).toBe(false);
  });

  it('an empty list is no list (everyone)', () => {
    expect(allowList([])).toBeNull();
  });

  it.each(['localhost', '10.0.0.0/x', '300.1.1.1', '10.0.0.0/8/8', '10.0.0.0/33', '::/129', '10.0.0.0/', ''])('refuses %j naming it', (entry) => {
    expect(() => allowList([entry])).toThrow(new RegExp(`WEAVER_ALLOW_IPS: ${entry.replace(/[./]/g, '\\$&')} is not an IP address or CIDR block`));
  });
});

describe('startGateway', () => {
  it('will not listen beyond loopback without a key, whoever calls it', async () => {
    const start = startGateway({
      config: { host: '0.0.0.0', port: 0, apiKey: null, allowIps: [], webOrigin: null, rateLimitPerMinute: 0 },
      databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
      publish: async () => {},
      log: createLogger('test', {}),
    });
    await expect(start).rejects.toBeInstanceOf(WeaverError);
    await expect(start).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringContaining('WEAVER_API_KEY') });
  });
});
