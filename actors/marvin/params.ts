// A strategy's parameters as given by people (CLI `--param slow=15`, sweep grids, the dashboard, a run's
// JSON) turned into the typed, complete, checked values the strategy receives. Every failure is a
// WeaverError('invalid_params') naming the parameter and what to fix, with details {param, value, expected}.
import { WeaverError } from '../../protocol/errors.ts';
import type { ParamValue } from '../../protocol/run.ts';
import type { ParamSpec, Params, StrategyDefinition } from './strategy.ts';

export type RawParams = Readonly<Record<string, string | number | boolean>>;

/** Sweeps stop here: a bigger grid is almost always a typo (`1..100000`), and each combination is a whole backtest. */
export const MAX_GRID_COMBINATIONS = 10_000;

export interface ParamDescription {
  readonly name: string;
  readonly type: ParamSpec['type'];
  readonly default: ParamValue;
  readonly min: number | null;
  readonly max: number | null;
  readonly description: string;
}

function invalid(message: string, param: string | null, value: unknown, expected: string): WeaverError {
  return new WeaverError('invalid_params', message, { param, value, expected });
}

function describeSpec(name: string, spec: ParamSpec): string {
  return `${name} (${spec.type}, default ${JSON.stringify(spec.default)})`;
}

function expectedOf(spec: ParamSpec): string {
  const bounds = [spec.min !== undefined ? `≥ ${spec.min}` : null, spec.max !== undefined ? `≤ ${spec.max}` : null].filter(Boolean);
  const kind = spec.type === 'integer' ? 'an integer' : spec.type === 'number' ? 'a finite number' : spec.type === 'boolean' ? 'true or false' : 'a string';
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

/** Plain decimal notation only: Number() would also take '0x10', '0b1' and ''. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A raw value as the spec's type, or undefined when it cannot be one. */
function coerce(spec: ParamSpec, raw: string | number | boolean): ParamValue | undefined {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(n)) return undefined;
      return spec.type === 'integer' && !Number.isInteger(n) ? undefined : n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
      return undefined;
    case 'string':
      return typeof raw === 'string' ? raw : String(raw);
  }
}

/**
 * The parameters a strategy runs with: `raw` coerced by each parameter's type (strings from the CLI
 * included), defaults filled in, bounds checked, unknown names rejected, then the strategy's own
 * validate(). The result has every declared parameter, in declaration order.
 */
export function resolveParams<P extends Params>(def: StrategyDefinition<P, unknown>, raw: RawParams): P {
  const specs = def.params;
  const known = () => Object.entries(specs).map(([name, spec]) => describeSpec(name, spec)).join(', ') || 'none';
  for (const [name, value] of Object.entries(raw)) {
    if (!Object.hasOwn(specs, name)) {
      throw invalid(`unknown parameter "${name}" for strategy ${def.name}; its parameters are: ${known()}`, name, value, `one of: ${Object.keys(specs).join(', ')}`);
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = Object.hasOwn(raw, name) ? raw[name] : undefined;
    if (given === undefined) {
      out[name] = spec.default;
      continue;
    }
    const expected = expectedOf(spec);
    const value = coerce(spec, given);
    if (value === undefined) throw invalid(`parameter ${name} of ${def.name} must be ${expected}, got ${JSON.stringify(given)}`, name, given, expected);
    if (typeof value === 'number' && ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))) {
      throw invalid(`parameter ${name} of ${def.name} must be ${expected}, got ${value}`, name, given, expected);
    }
    out[name] = value;
  }
  const params = Object.freeze(out) as P;
  const problem = def.validate?.(params) ?? null;
  if (problem !== null) throw invalid(`invalid parameters for ${def.name}: ${problem}`, null, params, problem);
  return params;
}

/** The parameters of a strategy for the CLI and the dashboard (JSON-able; absent bounds are null). */
export function describeParams(def: Pick<StrategyDefinition, 'params'>): ParamDescription[] {
  return Object.entries(def.params).map(([name, spec]) => ({
    name,
    type: spec.type,
    default: spec.default,
    min: spec.min ?? null,
    max: spec.max ?? null,
    description: spec.description,
  }));
}

function splitAssignment(item: string): [string, string] {
  const at = item.indexOf('=');
  const name = at < 0 ? '' : item.slice(0, at).trim();
  if (at < 0 || name === '') {
    throw invalid(`expected name=value, got ${JSON.stringify(item)} (e.g. --param slow=15)`, null, item, 'name=value');
  }
  return [name, item.slice(at + 1).trim()];
}

/** `["fast=5", "slow=20"]` → `{fast: "5", slow: "20"}` (values stay strings: resolveParams coerces them). */
export function parseParamAssignments(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const [name, value] = splitAssignment(item);
    if (Object.hasOwn(out, name)) throw invalid(`parameter ${name} is given twice (${JSON.stringify(out[name])} and ${JSON.stringify(value)}); give it once`, name, value, 'one value');
    out[name] = value;
  }
  return out;
}

const RANGE = /^([+-]?\d+)\.\.([+-]?\d+)(?::(\d+))?$/;

/** The values of one grid axis: `5..50` (integers, inclusive), `5..50:5` (with a step), `5,10,20`, or one value. */
function axisValues(name: string, spec: string): (string | number)[] {
  const range = RANGE.exec(spec);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    const step = range[3] === undefined ? 1 : Number(range[3]);
    if (step < 1) throw invalid(`the step of ${name}=${spec} must be an integer ≥ 1`, name, spec, 'from..to:step with step ≥ 1');
    if (from > to) throw invalid(`the range of ${name}=${spec} is empty: write the smaller bound first (${to}..${from})`, name, spec, 'from..to with from ≤ to');
    const count = Math.floor((to - from) / step) + 1;
    if (count > MAX_GRID_COMBINATIONS) throw tooBig(`${name}=${spec} alone has ${count.toLocaleString('en-US')} values`);
    return Array.from({ length: count }, (_, i) => from + i * step);
  }
  if (spec.includes('..')) {
    throw invalid(`${name}=${spec} is not a range: ranges are integers, from..to or from..to:step (e.g. 5..50:5); list other values with commas (0.5,1,1.5)`, name, spec, 'from..to[:step] with integers');
  }
  const values = spec.split(',').map((s) => s.trim());
  if (values.some((s) => s === '') && values.length > 1) throw invalid(`${name}=${spec} has an empty value in its list`, name, spec, 'a,b,c without empty items');
  return values;
}

function tooBig(what: string): WeaverError {
  return invalid(
    `the parameter grid is too big: ${what}, more than ${MAX_GRID_COMBINATIONS.toLocaleString('en-US')} combinations; use a coarser step (5..50:5) or fewer values`,
    null,
    what,
    `at most ${MAX_GRID_COMBINATIONS} combinations`,
  );
}

/**
 * A sweep's grid: `["fast=1..5", "slow=10,20,30", "qty=2"]` → every combination as raw params (the
 * cartesian product, the first parameter varying slowest), at most MAX_GRID_COMBINATIONS of them. Range
 * values are numbers, listed values strings; resolveParams coerces and checks each combination.
 */
export function parseParamGrid(list: readonly string[]): Record<string, string | number>[] {
  const axes: [string, (string | number)[]][] = [];
  for (const item of list) {
    const [name, spec] = splitAssignment(item);
    if (axes.some(([n]) => n === name)) throw invalid(`parameter ${name} appears twice in the grid; give all its values in one ${name}=... (e.g. ${name}=5,10,20)`, name, spec, 'one axis per parameter');
    axes.push([name, axisValues(name, spec)]);
  }
  const total = axes.reduce((n, [, values]) => n * values.length, 1);
  if (total > MAX_GRID_COMBINATIONS) throw tooBig(`${axes.map(([n, v]) => `${n}: ${v.length}`).join(' × ')} = ${total.toLocaleString('en-US')}`);
  let combos: Record<string, string | number>[] = [{}];
  for (const [name, values] of axes) combos = combos.flatMap((c) => values.map((value) => ({ ...c, [name]: value })));
  return combos;
}
