// The "New run" form as data: checked in the browser into the body of POST /runs, and the gateway's
// refusals (422 field paths, domain errors) placed beside the fields they are about.
import { describe, expect, it } from 'vitest';
import type { Strategy } from '#lib/types.ts';
import { buildRequest, emptyForm, emptyInstance, fieldKeys, parseSymbols, placeApiFields, placeDomainError, type RunForm } from './form.ts';
import { initialInputs } from './params.ts';

const smaCross: Strategy = {
  name: 'sma_cross',
  description: 'SMA crossover',
  params: [
    { name: 'fast', type: 'integer', default: 10, min: 1, max: null, description: 'fast' },
    { name: 'slow', type: 'integer', default: 30, min: 2, max: null, description: 'slow' },
  ],
};
const breakout: Strategy = { name: 'breakout', description: 'Donchian', params: [{ name: 'entry', type: 'integer', default: 20, min: 1, max: null, description: 'entry' }] };
const strategies = [smaCross, breakout];
const initial = (s: Strategy) => initialInputs(s.params);

function form(patch: Partial<RunForm> = {}): RunForm {
  const f = emptyForm(smaCross, initial);
  f.instances[0]!.symbols = 'DEMO_ACME';
  return { ...f, ...patch };
}

describe('parseSymbols', () => {
  it('splits on commas and spaces, keeps the order and drops repeats', () => {
    expect(parseSymbols(' AAPL, MSFT,,BTC/USD  AAPL ')).toEqual({ symbols: ['AAPL', 'MSFT', 'BTC/USD'] });
  });
  it('refuses an empty list and names the symbols that cannot be symbols', () => {
    expect(parseSymbols(' , ')).toEqual({ error: 'needs at least one symbol, e.g. DEMO_ACME or AAPL, MSFT' });
    const r = parseSymbols('AAPL, MS;FT');
    expect('error' in r && r.error).toContain('"MS;FT"');
  });
  it('refuses more than 50 symbols', () => {
    const r = parseSymbols(Array.from({ length: 51 }, (_, i) => `S${i}`).join(','));
    expect('error' in r && r.error).toContain('at most 50');
  });
});

describe('buildRequest', () => {
  it('turns a filled form into the body of POST /runs with typed values', () => {
    const f = form({ name: ' demo ', from: '2025-12-27', to: '2025-12-28', cash: '5000', slippageBps: '2.5', commissionRate: '0.001', fillModel: 'close' });
    f.instances[0]!.params = { fast: '5', slow: '20' };
    expect(buildRequest(f, strategies, true)).toEqual({
      body: {
        mode: 'backtest',
        name: 'demo',
        timeframe: '1m',
        from: '2025-12-27',
        to: '2025-12-28',
        cash: 5000,
        fill: { model: 'close', slippage_bps: 2.5, commission: { rate: 0.001, per_share: 0, minimum: 0 } },
        instances: [{ strategy: 'sma_cross', symbols: ['DEMO_ACME'], params: { fast: 5, slow: 20 } }],
        start: true,
      },
      errors: null,
    });
  });

  it('leaves out an empty name and dates (the whole stored range), takes empty fees as 0 and passes start', () => {
    const r = buildRequest(form({ slippageBps: '', commissionMinimum: ' ' }), strategies, false);
    expect(r.errors).toBeNull();
    expect(r.body).not.toHaveProperty('name');
    expect(r.body).not.toHaveProperty('from');
    expect(r.body).not.toHaveProperty('to');
    expect(r.body?.fill).toEqual({ model: 'next_open', slippage_bps: 0, commission: { rate: 0, per_share: 0, minimum: 0 } });
    expect(r.body?.start).toBe(false);
  });

  it('gives a message per field that does not hold, keyed like the gateway paths', () => {
    const f = form({ timeframe: '2m', from: '2025-12-28', to: '2025-12-27', cash: '0', slippageBps: '-1', commissionRate: 'abc' });
    f.instances[0]!.symbols = '';
    f.instances[0]!.params = { fast: '1.5', slow: '30' };
    const r = buildRequest(f, strategies, true);
    expect(r.body).toBeNull();
    expect(r.errors).toEqual({
      timeframe: 'must be one of 1m, 5m, 15m, 1h, 1d',
      to: 'must not be before From (2025-12-28)',
      cash: 'must be more than 0',
      'fill.slippage_bps': 'must be 0 or more',
      'fill.commission.rate': 'must be a number, not "abc"',
      'instances.0.symbols': 'needs at least one symbol, e.g. DEMO_ACME or AAPL, MSFT',
      'instances.0.params.fast': 'must be a whole number ≥ 1, not 1.5',
    });
  });

  it('requires cash and a chosen strategy, and checks every instance', () => {
    const f = form({ cash: '' });
    f.instances.push(emptyInstance(breakout, initial, 'X Y'), { strategy: '', symbols: 'Z', params: {} });
    f.instances[1]!.params = { entry: '0' };
    const r = buildRequest(f, strategies, true);
    expect(r.errors).toEqual({ cash: 'is required', 'instances.1.params.entry': 'must be a whole number ≥ 1', 'instances.2.strategy': 'choose a strategy' });
  });

  it('sends several instances, each with its own strategy, symbols and params', () => {
    const f = form();
    f.instances.push(emptyInstance(breakout, initial, 'DEMO_GLOBEX, DEMO_ACME'));
    const r = buildRequest(f, strategies, true);
    expect(r.body?.instances).toEqual([
      { strategy: 'sma_cross', symbols: ['DEMO_ACME'], params: { fast: 10, slow: 30 } },
      { strategy: 'breakout', symbols: ['DEMO_GLOBEX', 'DEMO_ACME'], params: { entry: 20 } },
    ]);
  });
});

describe('placeApiFields', () => {
  it('puts each 422 detail beside the longest field its path starts with, and returns the rest', () => {
    const f = form();
    const keys = fieldKeys(f, strategies);
    const r = placeApiFields(
      {
        'body.timeframe': 'must be one of 1m, 5m, 15m, 1h, 1d',
        'body.instances.0.symbols.0': 'must be a symbol such as AAPL',
        'body.instances.0.params.fast': 'Invalid type',
        'body.instances.0.params.Fast': 'must be a parameter name',
        'body.fill.volume_cap': 'Invalid value',
        body: 'Invalid key: Expected never but received "extra"',
      },
      keys,
    );
    expect(r.fields).toEqual({
      timeframe: 'must be one of 1m, 5m, 15m, 1h, 1d',
      'instances.0.symbols': 'must be a symbol such as AAPL',
      'instances.0.params.fast': 'Invalid type',
      'instances.0.params': 'Fast: must be a parameter name',
    });
    expect(r.unplaced).toEqual(['body.fill.volume_cap: Invalid value', 'body: Invalid key: Expected never but received "extra"']);
  });
});

describe('placeDomainError', () => {
  it('puts live_unavailable beside the mode and unknown_strategy beside that strategy', () => {
    expect(placeDomainError('live_unavailable', null, 'no live venue', form())).toEqual({ mode: 'no live venue' });
    const f = form();
    f.instances.push({ strategy: 'smax', symbols: 'A', params: {} });
    expect(placeDomainError('unknown_strategy', { strategy: 'smax' }, 'unknown strategy "smax"', f)).toEqual({ 'instances.1.strategy': 'unknown strategy "smax"' });
  });

  it('puts invalid_params beside the parameter it names, or beside the parameters of the strategy it names', () => {
    const f = form();
    f.instances.push(emptyInstance(breakout, initial, 'B'));
    expect(placeDomainError('invalid_params', { param: 'entry' }, 'bad entry', f)).toEqual({ 'instances.1.params.entry': 'bad entry' });
    const msg = 'invalid parameters for sma_cross: fast (40) must be less than slow (30): lower fast or raise slow';
    expect(placeDomainError('invalid_params', { param: null }, msg, f)).toEqual({ 'instances.0.params': msg });
  });

  it('marks the symbols without data for missing_data, and dates and amounts by the flag they name', () => {
    const f = form();
    f.instances.push(emptyInstance(breakout, initial, 'OTHER'));
    expect(placeDomainError('missing_data', { symbols: ['DEMO_ACME'], timeframe: '1m' }, 'no data', f)).toEqual({ 'instances.0.symbols': 'no 1m bars in the range for DEMO_ACME (see the message above)' });
    expect(placeDomainError('invalid_date', { flag: '--from', value: 'x' }, 'from x: expected a date', f)).toEqual({ from: 'from x: expected a date' });
    expect(placeDomainError('invalid_date_range', {}, 'from is after to', f)).toEqual({ to: 'from is after to' });
    expect(placeDomainError('internal', null, 'failed', f)).toEqual({});
  });
});
