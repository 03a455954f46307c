// Live thin events: GET /events/stream (SSE; the id of each event is its log cursor, and a reconnect with
// Last-Event-ID resumes right after it) and GET /events/tail (the same events as incremental REST).
import * as v from 'valibot';
import { ORIGIN, parseCursor, UI_TYPES } from '../../../protocol/index.ts';
import type { GatewayDeps } from '../deps.ts';
import { HttpError } from '../http/errors.ts';
import { route } from '../http/route.ts';
import { CursorQuery, LimitQuery, UuidQuery } from '../http/schemas.ts';
import { resumeCursor, serveStream, wireEvent } from '../events/sse.ts';

export const STREAM_PATH = '/events/stream';

const Types = v.pipe(
  v.string(),
  v.maxLength(400),
  v.transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean)),
  v.check((types) => types.every((t) => UI_TYPES.includes(t)), `must be a comma-separated list of ${UI_TYPES.join(', ')}`),
);
const Filters = { run_id: v.optional(UuidQuery), types: v.optional(Types) };
const StreamQuery = v.strictObject({ after: v.optional(CursorQuery), ...Filters, token: v.optional(v.pipe(v.string(), v.maxLength(200))) });
const TailQuery = v.strictObject({ after: v.optional(CursorQuery), limit: LimitQuery(100), ...Filters });

export const WireUiEvent = v.object({ cursor: v.string(), id: v.string(), type: v.picklist(UI_TYPES), ts: v.string(), run_id: v.nullable(v.string()), payload: v.unknown() });
const Tail = v.object({ events: v.array(WireUiEvent), next: v.string() });

export function eventRoutes(deps: GatewayDeps) {
  return [
    route({
      method: 'get',
      path: STREAM_PATH,
      tag: 'events',
      summary: 'Thin ui.* events as Server-Sent Events',
      description:
        'Each SSE message is one ui.* event (data: JSON {cursor, id, type, ts, run_id, payload}); its SSE id is the log cursor. ' +
        'Reconnect with the Last-Event-ID header (EventSource does) or ?after=CURSOR to get every event after it, none twice. ' +
        'Without either, the stream starts at the present. Keep-alive comments every 15 s. With an API key, EventSource clients pass ?token= from POST /auth/sse-token.',
      query: StreamQuery,
      responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' } },
      handle: async ({ query }, req, res) => {
        const resume = resumeCursor(req, query.after);
        const after = resume === undefined ? null : parseCursor(resume);
        if (resume !== undefined && (after === null || !v.is(CursorQuery, resume))) {
          throw new HttpError(422, 'invalid_request', `Last-Event-ID ${JSON.stringify(resume.slice(0, 50))} is not a log cursor such as 812.4031`, [{ path: 'headers.last-event-id', message: 'must be a log cursor' }]);
        }
        await serveStream(req, res, deps.hub, { after, filter: { runId: query.run_id, types: query.types }, keepAliveMs: deps.keepAliveMs });
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/events/tail',
      tag: 'events',
      summary: 'The same ui.* events as incremental REST: pass the previous answer\'s next as after',
      query: TailQuery,
      responses: { 200: { description: 'events after the cursor (at most limit) and the cursor to ask after next', schema: Tail } },
      handle: async ({ query }) => {
        const after = query.after ? parseCursor(query.after)! : ORIGIN;
        const page = await deps.hub.read(after, query.limit, { runId: query.run_id, types: query.types });
        return { events: page.events.map(wireEvent), next: `${page.last.tx}.${page.last.position}` };
      },
    }),
  ];
}
