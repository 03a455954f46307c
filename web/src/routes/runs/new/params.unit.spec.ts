// The parameter fields of the "New run" form: defaults prefilled, text turned into typed values by the
// parameter's schema, and a message per field for what the runtime would refuse.
import { describe, expect, it } from 'vitest';
import type { StrategyParam } from '#lib/types.ts';
import { expected, initialInputs, parseDecimal, parseParam, parseParams } from './params.ts';

const fast: StrategyParam = { name: 'fast', type: 'integer', default: 10, min: 1, max: null, description: 'Bars of the fast SMA' };
const qty: StrategyParam = { name: 'qty', type: 'number', default: 1, min: 0, max: 100, description: 'Quantity' };
const longOnly: StrategyParam = { name: 'long_only', type: 'boolean', default: true, min: null, max: null, description: '' };
const label: StrategyParam = { name: 'label', type: 'string', default: 'x', min: null, max: null, description: '' };
const schema = [fast, qty, longOnly, label];

describe('initialInputs', () => {
  it('prefills every field with its default: numbers as text, booleans as a checkbox state', () => {
    expect(initialInputs(schema)).toEqual({ fast: '10', qty: '1', long_only: true, label: 'x' });
    expect(initialInputs([{ ...longOnly, default: false }])).toEqual({ long_only: false });
  });
});

describe('parseDecimal', () => {
  it('takes plain decimals and refuses what Number() would also take', () => {
    expect(parseDecimal(' 12 ')).toBe(12);
    expect(parseDecimal('-0.5')).toBe(-0.5);
    expect(parseDecimal('.25')).toBe(0.25);
    expect(parseDecimal('1e3')).toBe(1000);
    for (const bad of ['', ' ', '0x10', '0b1', '1,5', 'Infinity', 'NaN', '12abc', '1e999']) expect(parseDecimal(bad)).toBeNull();
  });
});

describe('parseParam', () => {
  it('types an integer and checks it is whole and within its bounds', () => {
    expect(parseParam(fast, '15')).toEqual({ value: 15 });
    expect(parseParam(fast, ' 1 ')).toEqual({ value: 1 });
    expect(parseParam(fast, '1.5')).toEqual({ error: 'must be a whole number ≥ 1, not 1.5' });
    expect(parseParam(fast, '0')).toEqual({ error: 'must be a whole number ≥ 1' });
    expect(parseParam(fast, 'ten')).toEqual({ error: 'must be a whole number ≥ 1, not "ten"' });
    expect(parseParam(fast, '')).toEqual({ error: 'is required: a whole number ≥ 1' });
  });

  it('types a number with inclusive bounds', () => {
    expect(parseParam(qty, '0')).toEqual({ value: 0 });
    expect(parseParam(qty, '100')).toEqual({ value: 100 });
    expect(parseParam(qty, '2.5')).toEqual({ value: 2.5 });
    expect(parseParam(qty, '100.01')).toEqual({ error: 'must be a number from 0 to 100' });
    expect(parseParam(qty, '-1')).toEqual({ error: 'must be a number from 0 to 100' });
  });

  it('takes a boolean from a checkbox or from the words true and false', () => {
    expect(parseParam(longOnly, false)).toEqual({ value: false });
    expect(parseParam(longOnly, 'TRUE')).toEqual({ value: true });
    expect(parseParam(longOnly, 'yes')).toEqual({ error: 'must be true or false' });
  });

  it('keeps a string as typed', () => {
    expect(parseParam(label, ' a b ')).toEqual({ value: ' a b ' });
    expect(parseParam(label, undefined)).toEqual({ value: '' });
  });
});

describe('expected', () => {
  it('says what a field takes in words', () => {
    expect(expected(fast)).toBe('a whole number ≥ 1');
    expect(expected(qty)).toBe('a number from 0 to 100');
    expect(expected({ ...qty, min: null, max: 5 })).toBe('a number ≤ 5');
    expect(expected(longOnly)).toBe('true or false');
    expect(expected(label)).toBe('text');
  });
});

describe('parseParams', () => {
  it('gives every parameter its typed value when all fields hold', () => {
    expect(parseParams(schema, { fast: '5', qty: '0.5', long_only: false, label: 'y' })).toEqual({ values: { fast: 5, qty: 0.5, long_only: false, label: 'y' }, errors: {} });
  });

  it('names each field that does not hold and keeps the others typed', () => {
    const r = parseParams(schema, { fast: '2.5', qty: '101', long_only: true, label: 'y' });
    expect(r.errors).toEqual({ fast: 'must be a whole number ≥ 1, not 2.5', qty: 'must be a number from 0 to 100' });
    expect(r.values).toEqual({ long_only: true, label: 'y' });
  });

  it('counts a missing input as empty (required for numbers) and ignores inputs the schema does not name', () => {
    const r = parseParams([fast], { other: '1' });
    expect(r.errors).toEqual({ fast: 'is required: a whole number ≥ 1' });
    expect(r.values).toEqual({});
  });
});
