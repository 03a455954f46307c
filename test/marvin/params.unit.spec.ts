import { describe, expect, it } from 'vitest';
import { WeaverError } from '../../protocol/errors.ts';
import { defineStrategy } from '../../actors/marvin/strategy.ts';
import { MAX_GRID_COMBINATIONS, describeParams, parseParamAssignments, parseParamGrid, resolveParams } from '../../actors/marvin/params.ts';
import { STRATEGIES, findStrategy, strategyNames } from '../../actors/marvin/strategies/index.ts';
import smaCross from '../../actors/marvin/strategies/sma_cross/index.ts';

type Kinds = { n: number; x: number; on: boolean; label: string };
const kinds = defineStrategy<Kinds, null>({
  name: 'kinds',
  description: 'one parameter of each type',
  params: {
    n: { type: 'integer', default: 3, min: -5, max: 5, description: 'an integer' },
    x: { type: 'number', default: 0.5, description: 'a number' },
    on: { type: 'boolean', default: false, description: 'a flag' },
    label: { type: 'string', default: 'a', description: 'a label' },
  },
  init: () => null,
  onBar: () => {},
});

/** The WeaverError a call throws. */
function thrown(f: () => unknown): WeaverError {
  try {
    f();
  } catch (error) {
    if (error instanceof WeaverError) return error;
    throw error;
  }
  throw new Error('expected a WeaverError, nothing was thrown');
}

describe('resolveParams', () => {
  it('coerces CLI strings by the declared type and fills in defaults', () => {
    expect(resolveParams(kinds, { n: '-4', x: ' 1e-3 ', on: 'TRUE', label: '42' })).toEqual({ n: -4, x: 0.001, on: true, label: '42' });
    expect(resolveParams(kinds, { on: 'false', x: 2 })).toEqual({ n: 3, x: 2, on: false, label: 'a' });
    expect(resolveParams(kinds, { on: true, label: 7 })).toEqual({ n: 3, x: 0.5, on: true, label: '7' });
    expect(resolveParams(smaCross, { slow: '15' })).toEqual({ fast: 10, slow: 15, qty: 1 });
    expect(Object.keys(resolveParams(smaCross, { qty: 2, fast: 1 }))).toEqual(['fast', 'slow', 'qty']);
  });

  it.each([
    ['n', '2.5', 'an integer ≥ -5 and ≤ 5'],
    ['n', 2.5, 'an integer ≥ -5 and ≤ 5'],
    ['n', '', 'an integer ≥ -5 and ≤ 5'],
    ['n', '0x10', 'an integer ≥ -5 and ≤ 5'],
    ['n', true, 'an integer ≥ -5 and ≤ 5'],
    ['x', 'abc', 'a finite number'],
    ['x', 'Infinity', 'a finite number'],
    ['x', Number.NaN, 'a finite number'],
    ['on', 'yes', 'true or false'],
    ['on', 1, 'true or false'],
  ] as const)('rejects %s=%j: it must be %s', (param, value, expected) => {
    const error = thrown(() => resolveParams(kinds, { [param]: value }));
    expect(error.code).toBe('invalid_params');
    expect(error.message).toContain(`parameter ${param} of kinds must be ${expected}`);
    expect(error.details).toEqual({ param, value, expected });
  });

  it('checks min and max, inclusive', () => {
    expect(resolveParams(kinds, { n: '-5' }).n).toBe(-5);
    expect(resolveParams(kinds, { n: 5 }).n).toBe(5);
    const error = thrown(() => resolveParams(kinds, { n: '6' }));
    expect(error.message).toBe('parameter n of kinds must be an integer ≥ -5 and ≤ 5, got 6');
    expect(error.details).toEqual({ param: 'n', value: '6', expected: 'an integer ≥ -5 and ≤ 5' });
    expect(thrown(() => resolveParams(smaCross, { fast: 0 })).message).toBe('parameter fast of sma_cross must be an integer ≥ 1, got 0');
  });

  it('rejects an unknown name, listing the known ones with their types and defaults', () => {
    const error = thrown(() => resolveParams(smaCross, { slw: '15' }));
    expect(error.code).toBe('invalid_params');
    expect(error.message).toBe('unknown parameter "slw" for strategy sma_cross; its parameters are: fast (integer, default 10), slow (integer, default 30), qty (number, default 1)');
    expect(error.details).toEqual({ param: 'slw', value: '15', expected: 'one of: fast, slow, qty' });
  });

  it("runs the strategy's validate() on the complete parameters", () => {
    const error = thrown(() => resolveParams(smaCross, { fast: '30' })); // slow defaults to 30
    expect(error.code).toBe('invalid_params');
    expect(error.message).toBe('invalid parameters for sma_cross: fast (30) must be less than slow (30): lower fast or raise slow');
    expect(error.details).toMatchObject({ param: null, value: { fast: 30, slow: 30, qty: 1 } });
    expect(thrown(() => resolveParams(smaCross, { qty: 0 })).message).toContain('qty must be greater than 0');
  });
});

describe('describeParams', () => {
  it('describes each parameter as JSON, absent bounds as null', () => {
    expect(describeParams(kinds)).toEqual([
      { name: 'n', type: 'integer', default: 3, min: -5, max: 5, description: 'an integer' },
      { name: 'x', type: 'number', default: 0.5, min: null, max: null, description: 'a number' },
      { name: 'on', type: 'boolean', default: false, min: null, max: null, description: 'a flag' },
      { name: 'label', type: 'string', default: 'a', min: null, max: null, description: 'a label' },
    ]);
    expect(JSON.parse(JSON.stringify(describeParams(smaCross)))).toEqual(describeParams(smaCross));
  });
});

describe('parseParamAssignments', () => {
  it('splits name=value at the first =', () => {
    expect(parseParamAssignments(['fast=5', ' slow = 20 ', 'label=a=b', 'empty='])).toEqual({ fast: '5', slow: '20', label: 'a=b', empty: '' });
    expect(parseParamAssignments([])).toEqual({});
  });

  it('rejects an item without = or without a name, and a name given twice', () => {
    for (const item of ['slow15', '=15']) {
      const error = thrown(() => parseParamAssignments([item]));
      expect(error.code).toBe('invalid_params');
      expect(error.message).toBe(`expected name=value, got "${item}" (e.g. --param slow=15)`);
    }
    expect(thrown(() => parseParamAssignments(['slow=1', 'slow=2'])).message).toBe('parameter slow is given twice ("1" and "2"); give it once');
  });
});

describe('parseParamGrid', () => {
  it('expands ranges, stepped ranges, lists and single values into the cartesian product, the first varying slowest', () => {
    expect(parseParamGrid(['fast=1..3'])).toEqual([{ fast: 1 }, { fast: 2 }, { fast: 3 }]);
    expect(parseParamGrid(['slow=5..20:5'])).toEqual([{ slow: 5 }, { slow: 10 }, { slow: 15 }, { slow: 20 }]);
    expect(parseParamGrid(['slow=5..21:5']).map((c) => c.slow)).toEqual([5, 10, 15, 20]);
    expect(parseParamGrid(['n=-2..0'])).toEqual([{ n: -2 }, { n: -1 }, { n: 0 }]);
    expect(parseParamGrid(['fast=1,2', 'slow=10..11', 'qty=2'])).toEqual([
      { fast: '1', slow: 10, qty: '2' },
      { fast: '1', slow: 11, qty: '2' },
      { fast: '2', slow: 10, qty: '2' },
      { fast: '2', slow: 11, qty: '2' },
    ]);
    expect(parseParamGrid([])).toEqual([{}]);
  });

  it('gives combinations that resolveParams accepts', () => {
    const grid = parseParamGrid(['fast=1..3', 'slow=10,20']);
    expect(grid.map((raw) => resolveParams(smaCross, raw))).toHaveLength(6);
    expect(resolveParams(smaCross, grid[5]!)).toEqual({ fast: 3, slow: 20, qty: 1 });
  });

  it('rejects malformed axes with a way to fix them', () => {
    expect(thrown(() => parseParamGrid(['slow=50..5'])).message).toBe('the range of slow=50..5 is empty: write the smaller bound first (5..50)');
    expect(thrown(() => parseParamGrid(['slow=5..50:0'])).message).toContain('step of slow=5..50:0 must be an integer ≥ 1');
    expect(thrown(() => parseParamGrid(['qty=0.5..2'])).message).toContain('ranges are integers');
    expect(thrown(() => parseParamGrid(['slow=5,,10'])).message).toContain('empty value');
    expect(thrown(() => parseParamGrid(['slow=5', 'slow=6'])).message).toContain('slow appears twice');
    expect(thrown(() => parseParamGrid(['slow'])).code).toBe('invalid_params');
  });

  it(`caps the grid at ${MAX_GRID_COMBINATIONS} combinations`, () => {
    expect(parseParamGrid(['fast=1..100', 'slow=1..100'])).toHaveLength(10_000);
    const product = thrown(() => parseParamGrid(['fast=1..100', 'slow=1..101']));
    expect(product.code).toBe('invalid_params');
    expect(product.message).toBe(
      'the parameter grid is too big: fast: 100 × slow: 101 = 10,100, more than 10,000 combinations; use a coarser step (5..50:5) or fewer values',
    );
    // a single huge axis fails before anything is allocated
    expect(thrown(() => parseParamGrid(['slow=1..1000000000'])).message).toContain('slow=1..1000000000 alone has 1,000,000,000 values');
  });
});

describe('the strategy catalog', () => {
  it('lists the strategies by name and finds each', () => {
    expect(strategyNames()).toEqual(['breakout', 'sma_cross']);
    for (const name of strategyNames()) expect(findStrategy(name)).toBe(STRATEGIES[name]);
    expect(findStrategy('sma_cross')).toBe(smaCross);
  });

  it('rejects an unknown name, listing the known ones', () => {
    for (const name of ['sma-cross', 'toString', '__proto__']) {
      const error = thrown(() => findStrategy(name));
      expect(error.code).toBe('unknown_strategy');
      expect(error.message).toBe(`unknown strategy "${name}"; known strategies: breakout, sma_cross`);
    }
  });

  it('declares defaults that pass its own checks', () => {
    for (const def of Object.values(STRATEGIES)) expect(() => resolveParams(def, {})).not.toThrow();
  });
});
