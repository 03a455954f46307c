// A strategy's parameters in the "New run" form: the text (or checkbox) a person typed for each parameter
// turned into the typed value the gateway takes, with a message per field when it cannot be one. The rules
// are the runtime's (actors/marvin/params.ts): plain decimals only, integers whole, bounds inclusive.
import type { StrategyParam } from '#lib/types.ts';

export type ParamValue = number | string | boolean;
/** What a field holds: its text, or a checkbox's state for a boolean parameter. */
export type ParamInput = string | boolean;

export interface ParsedParams {
  /** Every parameter of the schema with its typed value (those with an error are left out). */
  readonly values: Record<string, ParamValue>;
  /** Parameter name → what is wrong with its field. */
  readonly errors: Record<string, string>;
}

/** Plain decimal notation only: Number() would also take '0x10', '0b1' and ''. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A decimal number written by a person, or null when the text is not one. */
export function parseDecimal(text: string): number | null {
  const t = text.trim();
  if (!DECIMAL.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** The field's starting state: the parameter's default as text (a boolean as a checkbox state). */
export function initialInput(param: StrategyParam): ParamInput {
  if (param.type === 'boolean') return param.default === true || param.default === 'true';
  return param.default === null || param.default === undefined ? '' : String(param.default);
}

export function initialInputs(params: readonly StrategyParam[]): Record<string, ParamInput> {
  return Object.fromEntries(params.map((p) => [p.name, initialInput(p)]));
}

const bound = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** What the field takes, in words: "an integer ≥ 1", "a number between 0 and 1". */
export function expected(param: StrategyParam): string {
  const kind = param.type === 'integer' ? 'a whole number' : param.type === 'number' ? 'a number' : param.type === 'boolean' ? 'true or false' : 'text';
  const lo = bound(param.min) ? param.min : null;
  const hi = bound(param.max) ? param.max : null;
  if (lo !== null && hi !== null) return `${kind} from ${lo} to ${hi}`;
  if (lo !== null) return `${kind} ≥ ${lo}`;
  if (hi !== null) return `${kind} ≤ ${hi}`;
  return kind;
}

/** One field: its typed value, or the message to show beside it. */
export function parseParam(param: StrategyParam, input: ParamInput | undefined): { value: ParamValue } | { error: string } {
  switch (param.type) {
    case 'boolean': {
      if (typeof input === 'boolean') return { value: input };
      const t = (input ?? '').trim().toLowerCase();
      if (t === 'true' || t === 'false') return { value: t === 'true' };
      return { error: 'must be true or false' };
    }
    case 'integer':
    case 'number': {
      const text = typeof input === 'string' ? input : input === undefined ? '' : String(input);
      if (text.trim() === '') return { error: `is required: ${expected(param)}` };
      const n = parseDecimal(text);
      if (n === null) return { error: `must be ${expected(param)}, not "${text.trim()}"` };
      if (param.type === 'integer' && !Number.isInteger(n)) return { error: `must be ${expected(param)}, not ${n}` };
      if ((bound(param.min) && n < param.min) || (bound(param.max) && n > param.max)) return { error: `must be ${expected(param)}` };
      return { value: n };
    }
    default:
      return { value: typeof input === 'string' ? input : input === undefined ? '' : String(input) };
  }
}

/** Every parameter of the schema from the form's inputs (a missing input counts as empty). */
export function parseParams(params: readonly StrategyParam[], inputs: Readonly<Record<string, ParamInput>>): ParsedParams {
  const values: Record<string, ParamValue> = {};
  const errors: Record<string, string> = {};
  for (const p of params) {
    const r = parseParam(p, Object.hasOwn(inputs, p.name) ? inputs[p.name] : undefined);
    if ('error' in r) errors[p.name] = r.error;
    else values[p.name] = r.value;
  }
  return { values, errors };
}
