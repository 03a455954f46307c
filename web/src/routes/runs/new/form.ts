// The "New run" form as data: what a person typed checked in the browser and turned into the body of
// POST /runs, with a message per field (keyed like the gateway's 422 paths without "body.", e.g.
// "cash", "instances.0.symbols", "instances.0.params.fast"), and the gateway's own 422 details placed
// beside the same fields.
import type { Strategy } from '#lib/types.ts';
import { parseDecimal, parseParams, type ParamInput, type ParamValue } from './params.ts';

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '1d'] as const;
export const FILL_MODELS = ['next_open', 'close'] as const;
export const MODES = ['backtest', 'live'] as const;

export interface InstanceInput {
  strategy: string;
  symbols: string;
  params: Record<string, ParamInput>;
}

export interface RunForm {
  mode: (typeof MODES)[number];
  name: string;
  timeframe: string;
  from: string;
  to: string;
  cash: string;
  fillModel: string;
  slippageBps: string;
  commissionRate: string;
  commissionPerShare: string;
  commissionMinimum: string;
  instances: InstanceInput[];
}

/** The body of POST /runs (actors/gateway/routes/runs.ts RunRequest). */
export interface RunRequestBody {
  mode: 'backtest' | 'live';
  name?: string;
  timeframe: string;
  from?: string;
  to?: string;
  cash: number;
  fill: { model: string; slippage_bps: number; commission: { rate: number; per_share: number; minimum: number } };
  instances: { strategy: string; symbols: string[]; params: Record<string, ParamValue> }[];
  start: boolean;
}

export type FieldErrors = Record<string, string>;

const SYMBOL = /^[A-Za-z0-9._/-]{1,32}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_SYMBOLS = 50;
export const MAX_INSTANCES = 50;

/** "AAPL, MSFT" (commas or spaces) → the symbols, once each in the order given, or what is wrong. */
export function parseSymbols(text: string): { symbols: string[] } | { error: string } {
  const symbols = [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))];
  if (symbols.length === 0) return { error: 'needs at least one symbol, e.g. DEMO_ACME or AAPL, MSFT' };
  const bad = symbols.filter((s) => !SYMBOL.test(s));
  if (bad.length > 0) return { error: `${bad.map((s) => `"${s}"`).join(', ')}: a symbol is 1 to 32 letters, digits or . _ / - (separate symbols with commas)` };
  if (symbols.length > MAX_SYMBOLS) return { error: `at most ${MAX_SYMBOLS} symbols per instance (${symbols.length} given)` };
  return { symbols };
}

/** An amount field: empty means `fallback`; otherwise a plain decimal ≥ 0 (> 0 when `positive`). */
function amount(text: string, fallback: number | null, positive: boolean): { value: number } | { error: string } {
  if (text.trim() === '') return fallback === null ? { error: 'is required' } : { value: fallback };
  const n = parseDecimal(text);
  if (n === null) return { error: `must be a number, not "${text.trim()}"` };
  if (positive ? n <= 0 : n < 0) return { error: positive ? 'must be more than 0' : 'must be 0 or more' };
  return { value: n };
}

/** A fresh form: a backtest of the first strategy with its defaults. */
export function emptyForm(strategy: Strategy | undefined, initial: (s: Strategy) => Record<string, ParamInput>): RunForm {
  return {
    mode: 'backtest',
    name: '',
    timeframe: '1m',
    from: '',
    to: '',
    cash: '10000',
    fillModel: 'next_open',
    slippageBps: '0',
    commissionRate: '0',
    commissionPerShare: '0',
    commissionMinimum: '0',
    instances: [emptyInstance(strategy, initial)],
  };
}

export function emptyInstance(strategy: Strategy | undefined, initial: (s: Strategy) => Record<string, ParamInput>, symbols = ''): InstanceInput {
  return { strategy: strategy?.name ?? '', symbols, params: strategy ? initial(strategy) : {} };
}

/** The form checked field by field: the request body when every field holds, else the messages. */
export function buildRequest(form: RunForm, strategies: readonly Strategy[], start: boolean): { body: RunRequestBody; errors: null } | { body: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!(MODES as readonly string[]).includes(form.mode)) errors['mode'] = `must be ${MODES.join(' or ')}`;
  if (form.name.trim().length > 120) errors['name'] = 'at most 120 characters';
  if (!(TIMEFRAMES as readonly string[]).includes(form.timeframe)) errors['timeframe'] = `must be one of ${TIMEFRAMES.join(', ')}`;
  const from = form.from.trim();
  const to = form.to.trim();
  if (from !== '' && !DATE.test(from)) errors['from'] = 'must be a date (YYYY-MM-DD)';
  if (to !== '' && !DATE.test(to)) errors['to'] = 'must be a date (YYYY-MM-DD)';
  if (from !== '' && to !== '' && !errors['from'] && !errors['to'] && from > to) errors['to'] = `must not be before From (${from})`;

  const cash = amount(form.cash, null, true);
  const slippage = amount(form.slippageBps, 0, false);
  const rate = amount(form.commissionRate, 0, false);
  const perShare = amount(form.commissionPerShare, 0, false);
  const minimum = amount(form.commissionMinimum, 0, false);
  if ('error' in cash) errors['cash'] = cash.error;
  if ('error' in slippage) errors['fill.slippage_bps'] = slippage.error;
  if ('error' in rate) errors['fill.commission.rate'] = rate.error;
  if ('error' in perShare) errors['fill.commission.per_share'] = perShare.error;
  if ('error' in minimum) errors['fill.commission.minimum'] = minimum.error;
  if (!(FILL_MODELS as readonly string[]).includes(form.fillModel)) errors['fill.model'] = `must be ${FILL_MODELS.join(' or ')}`;

  if (form.instances.length === 0) errors['instances'] = 'needs at least one strategy instance';
  if (form.instances.length > MAX_INSTANCES) errors['instances'] = `at most ${MAX_INSTANCES} strategy instances`;
  const instances: RunRequestBody['instances'] = [];
  form.instances.forEach((inst, i) => {
    const at = `instances.${i}`;
    const strategy = strategies.find((s) => s.name === inst.strategy);
    if (!strategy) errors[`${at}.strategy`] = inst.strategy ? `unknown strategy "${inst.strategy}"` : 'choose a strategy';
    const symbols = parseSymbols(inst.symbols);
    if ('error' in symbols) errors[`${at}.symbols`] = symbols.error;
    const params = strategy ? parseParams(strategy.params, inst.params) : { values: {}, errors: {} };
    for (const [name, message] of Object.entries(params.errors)) errors[`${at}.params.${name}`] = message;
    if (strategy && 'symbols' in symbols) instances.push({ strategy: strategy.name, symbols: symbols.symbols, params: params.values });
  });

  if (Object.keys(errors).length > 0 || 'error' in cash || 'error' in slippage || 'error' in rate || 'error' in perShare || 'error' in minimum) return { body: null, errors };
  return {
    body: {
      mode: form.mode,
      ...(form.name.trim() ? { name: form.name.trim() } : {}),
      timeframe: form.timeframe,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      cash: cash.value,
      fill: { model: form.fillModel, slippage_bps: slippage.value, commission: { rate: rate.value, per_share: perShare.value, minimum: minimum.value } },
      instances,
      start,
    },
    errors: null,
  };
}

/**
 * The gateway's 422 details (ApiError.fields: "body.instances.0.symbols.0" → message) placed on the form's
 * fields: each goes to the longest field key that starts its path; the rest (no such field) are returned
 * to show above the form.
 */
export function placeApiFields(apiFields: Readonly<Record<string, string>>, fieldKeys: ReadonlySet<string>): { fields: FieldErrors; unplaced: string[] } {
  const fields: FieldErrors = {};
  const unplaced: string[] = [];
  for (const [path, message] of Object.entries(apiFields)) {
    const parts = path.replace(/^body\.?/, '').split('.').filter((p) => p !== '');
    let placed = false;
    for (let n = parts.length; n > 0 && !placed; n--) {
      const key = parts.slice(0, n).join('.');
      if (fieldKeys.has(key)) {
        const rest = parts.slice(n).join('.');
        const text = rest && !/^\d+$/.test(rest) ? `${rest}: ${message}` : message;
        fields[key] = fields[key] ? `${fields[key]}; ${text}` : text;
        placed = true;
      }
    }
    if (!placed) unplaced.push(path ? `${path}: ${message}` : message);
  }
  return { fields, unplaced };
}

/** Every field key of the form, for placeApiFields. */
export function fieldKeys(form: RunForm, strategies: readonly Strategy[]): Set<string> {
  const keys = new Set(['mode', 'name', 'timeframe', 'from', 'to', 'cash', 'fill.model', 'fill.slippage_bps', 'fill.commission.rate', 'fill.commission.per_share', 'fill.commission.minimum', 'instances']);
  form.instances.forEach((inst, i) => {
    keys.add(`instances.${i}.strategy`);
    keys.add(`instances.${i}.symbols`);
    keys.add(`instances.${i}.params`);
    for (const p of strategies.find((s) => s.name === inst.strategy)?.params ?? []) keys.add(`instances.${i}.params.${p.name}`);
  });
  return keys;
}

/** The body field a CLI flag in a domain error's details stands for (runtime/backtest/spec.ts). */
const FIELD_OF_FLAG: Readonly<Record<string, string>> = {
  '--timeframe': 'timeframe',
  '--from': 'from',
  '--to': 'to',
  '--fill': 'fill.model',
  '--cash': 'cash',
  '--slippage-bps': 'fill.slippage_bps',
  '--commission-rate': 'fill.commission.rate',
  '--commission-per-share': 'fill.commission.per_share',
  '--commission-min': 'fill.commission.minimum',
};

/**
 * A refusal that is not a 422 list of fields (unknown_strategy, invalid_params, missing_data,
 * live_unavailable, invalid_date…) placed beside the fields it is about, from its code and details.
 * The message itself is shown above the form as well.
 */
export function placeDomainError(code: string, details: unknown, message: string, form: RunForm): FieldErrors {
  const d = (details && typeof details === 'object' ? details : {}) as Record<string, unknown>;
  const out: FieldErrors = {};
  const each = (match: (inst: InstanceInput) => boolean, field: string, text: string) =>
    form.instances.forEach((inst, i) => {
      if (match(inst)) out[`instances.${i}.${field}`] = text;
    });
  switch (code) {
    case 'live_unavailable':
      out['mode'] = message;
      break;
    case 'unknown_strategy':
      each((inst) => inst.strategy === d['strategy'], 'strategy', message);
      break;
    case 'invalid_params': {
      const param = typeof d['param'] === 'string' ? d['param'] : null;
      if (param) each((inst) => Object.hasOwn(inst.params, param), `params.${param}`, message);
      else each((inst) => message.includes(`for ${inst.strategy}:`), 'params', message);
      break;
    }
    case 'missing_data': {
      const symbols = Array.isArray(d['symbols']) ? (d['symbols'] as unknown[]).map(String) : [];
      const missing = symbols.join(', ');
      each((inst) => inst.symbols.split(/[\s,]+/).some((s) => symbols.includes(s)), 'symbols', `no ${form.timeframe} bars in the range for ${missing} (see the message above)`);
      break;
    }
    case 'invalid_timeframe':
      out['timeframe'] = message;
      break;
    case 'invalid_date_range':
      out['to'] = message;
      break;
    default: {
      const field = typeof d['flag'] === 'string' ? FIELD_OF_FLAG[d['flag']] : undefined;
      if (field) out[field] = message;
    }
  }
  return out;
}
