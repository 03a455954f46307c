import * as v from 'valibot';
import { Envelope } from './envelope.ts';
import { issuesToDetails, type ErrorModel } from './errors.ts';
import { newId } from './ids.ts';

type AnySchema = v.GenericSchema<unknown, unknown>;

export interface EventDefinition<S extends AnySchema = AnySchema> {
  readonly type: string;
  readonly kind: 'evt' | 'cmd';
  readonly version: number;
  readonly payload: S;
}

const definitions = new Map<string, EventDefinition>();

/** Declare an event or command type with its payload schema. Registering one type twice differently is a bug. */
export function defineEvent<S extends AnySchema>(type: string, kind: 'evt' | 'cmd', payload: S, version = 1): EventDefinition<S> {
  const existing = definitions.get(type);
  if (existing && (existing.kind !== kind || existing.version !== version)) {
    throw new Error(`event type ${type} is already registered with kind ${existing.kind} v${existing.version}`);
  }
  const def: EventDefinition<S> = { type, kind, version, payload };
  definitions.set(type, def as EventDefinition);
  return def;
}

export function lookupEvent(type: string): EventDefinition | undefined {
  return definitions.get(type);
}

export function registeredTypes(): string[] {
  return [...definitions.keys()].sort();
}

export type PayloadOf<D> = D extends EventDefinition<infer S> ? v.InferOutput<S> : never;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: ErrorModel };

/**
 * Check an envelope and then its payload against the registry. Returns a reasoned failure instead of
 * throwing: an invalid envelope, an unknown type, a kind or version that does not match, a bad payload.
 */
export function validateEnvelope(raw: unknown): ValidationResult<Envelope> {
  const env = v.safeParse(Envelope, raw);
  const id = typeof (raw as { id?: unknown })?.id === 'string' ? ((raw as { id: string }).id) : null;
  if (!env.success) {
    return { ok: false, error: { code: 'invalid_envelope', message: 'the envelope does not match the protocol', details: issuesToDetails(env.issues), correlation_id: id } };
  }
  const e = env.output;
  const def = definitions.get(e.type);
  if (!def) {
    return { ok: false, error: { code: 'unknown_type', message: `no payload schema is registered for type ${e.type}`, details: { type: e.type }, correlation_id: e.id } };
  }
  if (def.kind !== e.kind || def.version !== e.version) {
    return { ok: false, error: { code: 'invalid_envelope', message: `${e.type} is a ${def.kind} v${def.version}, got ${e.kind} v${e.version}`, details: { type: e.type }, correlation_id: e.id } };
  }
  const payload = v.safeParse(def.payload, e.payload);
  if (!payload.success) {
    return { ok: false, error: { code: 'invalid_payload', message: `the payload of ${e.type} does not match its schema`, details: issuesToDetails(payload.issues), correlation_id: e.id } };
  }
  return { ok: true, value: { ...e, payload: payload.output } };
}

export interface EventMeta {
  id?: string;
  run_id?: string | null;
  corr_id?: string | null;
  causation_id?: string | null;
  trace_id?: string | null;
  ts?: string;
  headers?: Record<string, string>;
}

/**
 * Build a new envelope for a registered type. `ts` defaults to the wall clock: actors that must be
 * deterministic pass their own `ts`. With a `cause`, the identity chain follows it: corr_id and trace_id
 * are inherited, causation_id is the cause's id.
 */
export function makeEvent<D extends EventDefinition>(
  def: D,
  payload: PayloadOf<D>,
  producer: string,
  meta: EventMeta = {},
  cause?: Pick<Envelope, 'id' | 'corr_id' | 'trace_id' | 'run_id'>,
): Envelope<PayloadOf<D>> {
  const id = meta.id ?? newId();
  return {
    id,
    kind: def.kind,
    type: def.type,
    version: def.version,
    run_id: meta.run_id ?? cause?.run_id ?? null,
    corr_id: meta.corr_id ?? cause?.corr_id ?? id,
    causation_id: meta.causation_id ?? cause?.id ?? null,
    trace_id: meta.trace_id ?? cause?.trace_id ?? id,
    ts: meta.ts ?? new Date().toISOString(),
    producer,
    headers: meta.headers ?? {},
    payload,
  };
}
