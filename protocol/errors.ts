import * as v from 'valibot';

/** The one error model, in REST responses, dead letters and logs: {code, message, details, correlation_id}. */
export const ErrorModel = v.object({
  code: v.pipe(v.string(), v.minLength(1)),
  message: v.string(),
  details: v.optional(v.unknown()),
  correlation_id: v.nullable(v.string()),
});
export type ErrorModel = v.InferOutput<typeof ErrorModel>;

/** An error that carries a stable code and, where known, the id of the event or request it belongs to. */
export class WeaverError extends Error {
  readonly code: string;
  readonly details: unknown;
  readonly correlationId: string | null;

  constructor(code: string, message: string, details?: unknown, correlationId: string | null = null) {
    super(message);
    this.name = 'WeaverError';
    this.code = code;
    this.details = details;
    this.correlationId = correlationId;
  }

  toModel(): ErrorModel {
    return { code: this.code, message: this.message, details: this.details, correlation_id: this.correlationId };
  }
}

/** Any thrown value as the error model; a non-Weaver error keeps its name and message, never its stack. */
export function toErrorModel(error: unknown, correlationId: string | null = null, fallbackCode = 'internal'): ErrorModel {
  if (error instanceof WeaverError) return { ...error.toModel(), correlation_id: error.correlationId ?? correlationId };
  if (error instanceof Error) {
    return { code: fallbackCode, message: error.message, details: { name: error.name }, correlation_id: correlationId };
  }
  return { code: fallbackCode, message: String(error), details: undefined, correlation_id: correlationId };
}

/** valibot issues as per-field details: [{path: 'payload.qty', message}]. */
export function issuesToDetails(issues: readonly v.BaseIssue<unknown>[]): { path: string; message: string }[] {
  return issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }));
}
