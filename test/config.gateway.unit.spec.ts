// The gateway's part of the configuration: a bind address other machines can reach needs WEAVER_API_KEY,
// loopback needs none, and the other gateway variables are parsed or refused with the variable named.
import { describe, expect, it } from 'vitest';
import { WeaverError } from '../protocol/index.ts';
import { isLoopbackHost, loadConfig } from '../runtime/config.ts';

const KEY = 'k'.repeat(24);

function refusal(env: Record<string, string>): WeaverError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(WeaverError);
    return error as WeaverError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('binding beyond loopback', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'weaver.example.org', '[::]'])('WEAVER_HOST=%s without a key is invalid_config naming WEAVER_API_KEY', (host) => {
    const error = refusal({ WEAVER_HOST: host });
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('WEAVER_API_KEY');
    expect(error.message).toContain(host);
    expect(error.details).toEqual([{ path: 'WEAVER_API_KEY', message: expect.stringContaining('loopback') }]);
  });

  it('an empty WEAVER_API_KEY counts as none', () => {
    expect(refusal({ WEAVER_HOST: '0.0.0.0', WEAVER_API_KEY: '' }).code).toBe('invalid_config');
  });

  it('with a key it passes, and the key is kept for the gateway', () => {
    const config = loadConfig({ WEAVER_HOST: '0.0.0.0', WEAVER_API_KEY: KEY });
    expect(config.gateway.host).toBe('0.0.0.0');
    expect(config.gateway.apiKey).toBe(KEY);
    // the CLI reaches a 0.0.0.0 gateway on loopback
    expect(config.gatewayUrl).toBe('http://127.0.0.1:7400');
  });

  it('a key shorter than 16 characters is refused, naming the variable', () => {
    const error = refusal({ WEAVER_HOST: '0.0.0.0', WEAVER_API_KEY: 'tooShortKey9' });
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('WEAVER_API_KEY');
    expect(error.message).toContain('16 characters');
    expect(JSON.stringify(error.details)).not.toContain('tooShortKey9'); // a secret is never echoed back
    expect(error.message).not.toContain('tooShortKey9');
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])('loopback %s needs no key', (host) => {
    const config = loadConfig({ WEAVER_HOST: host });
    expect(config.gateway.host).toBe(host);
    expect(config.gateway.apiKey).toBeNull();
  });

  it('the default is 127.0.0.1:7400 without a key', () => {
    const config = loadConfig({});
    expect(config.gateway).toEqual({ host: '127.0.0.1', port: 7400, apiKey: null, allowIps: [], webOrigin: null, rateLimitPerMinute: 6000 });
  });

  it('isLoopbackHost tells loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.255.255.254', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '127.0.0.1.example.org', 'localhost.example.org', '1::1']) expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('the other gateway variables', () => {
  it('parses the allow-list, the web origin and the rate limit', () => {
    const config = loadConfig({ WEAVER_ALLOW_IPS: '10.0.0.0/8, 127.0.0.1 ,', WEAVER_WEB_ORIGIN: 'http://localhost:5173/app/', WEAVER_RATE_LIMIT: '0', WEAVER_PORT: '0' });
    expect(config.gateway.allowIps).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(config.gateway.webOrigin).toBe('http://localhost:5173');
    expect(config.gateway.rateLimitPerMinute).toBe(0);
    expect(config.gateway.port).toBe(0);
  });

  it.each([
    ['WEAVER_PORT', '70000'],
    ['WEAVER_PORT', 'http'],
    ['WEAVER_WEB_ORIGIN', 'not a url'],
    ['WEAVER_RATE_LIMIT', '-1'],
  ])('%s=%s is invalid_config naming the variable', (name, value) => {
    const error = refusal({ [name]: value });
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(name);
  });
});
