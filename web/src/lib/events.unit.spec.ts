// The one SSE client against a fake fetch whose response bodies the test writes and drops: it parses the
// events, delivers them typed and newest first, remembers the last cursor, and after a drop shows `lost`,
// reconnects with Last-Event-ID and is `open` again. Each test gets fresh module state.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Events = typeof import('./events.svelte.ts');
type Auth = typeof import('./auth.svelte.ts');

/** One connection the client made: its request headers and the body the test writes into. */
interface Connection {
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
  send(text: string): void;
  drop(): void;
}

let connections: Connection[];
let answerStatus: number;
let events: Events;
let auth: Auth;

beforeEach(async () => {
  connections = [];
  answerStatus = 200;
  const encoder = new TextEncoder();
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    expect(url).toBe('/events/stream');
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    init.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    connections.push({
      headers: init.headers as Record<string, string>,
      signal: init.signal ?? undefined,
      send: (text) => controller.enqueue(encoder.encode(text)),
      drop: () => controller.error(new TypeError('network error')),
    });
    return new Response(answerStatus === 200 ? body : null, { status: answerStatus, headers: { 'content-type': 'text/event-stream' } });
  });
  vi.resetModules();
  events = await import('./events.svelte.ts');
  auth = await import('./auth.svelte.ts');
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

let seq = 0;
/** An SSE frame as the gateway writes it: the cursor as the id, the wire event as JSON data. */
function frame(type: string, payload: Record<string, unknown>, cursor = String(++seq)): string {
  const event = { cursor, id: `evt-${cursor}`, type, ts: '2025-06-01T12:00:00.000Z', run_id: (payload.run_id as string) ?? null, payload };
  return `id: ${cursor}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
}

describe('listen', () => {
  it('parses the stream into typed events, newest first, and remembers the last cursor', async () => {
    const got: { type: string; cursor: string }[] = [];
    const stop = events.listen((e) => got.push({ type: e.type, cursor: e.cursor }));
    await vi.waitFor(() => expect(events.stream.status).toBe('open'));
    expect(connections).toHaveLength(1);
    expect(connections[0]!.headers.accept).toBe('text/event-stream');
    expect(connections[0]!.headers['last-event-id']).toBeUndefined(); // from now on: nothing to resume

    // One event split across two chunks, then two in one chunk: the parser reassembles them.
    const first = frame('ui.RunStatus', { run_id: 'r1', mode: 'backtest', status: 'running' }, '100');
    connections[0]!.send(first.slice(0, 25));
    connections[0]!.send(first.slice(25) + frame('ui.Fill', { run_id: 'r1', instance_id: 'i1', order_id: 'o1', fill_id: 'f1', symbol: 'ACME', side: 'buy' }, '101') + frame('ui.ActorState', { actor_id: 'walle', kind: 'walle', state: 'stopped' }, '102'));
    await vi.waitFor(() => expect(got).toHaveLength(3));
    expect(got).toEqual([
      { type: 'ui.RunStatus', cursor: '100' },
      { type: 'ui.Fill', cursor: '101' },
      { type: 'ui.ActorState', cursor: '102' },
    ]);
    expect(events.stream.lastCursor).toBe('102');
    expect(events.recent.events.map((e) => e.cursor)).toEqual(['102', '101', '100']);
    const run = events.recent.events[2]!;
    expect(run.type === 'ui.RunStatus' && run.payload.status).toBe('running');
    stop();
  });

  it('after a drop shows lost, reconnects with Last-Event-ID, and is open again; events keep coming', async () => {
    const got: string[] = [];
    const stop = events.listen((e) => got.push(e.cursor));
    await vi.waitFor(() => expect(events.stream.status).toBe('open'));
    connections[0]!.send(frame('ui.RunStatus', { run_id: 'r1', mode: 'backtest', status: 'running' }, '7'));
    await vi.waitFor(() => expect(got).toEqual(['7']));

    connections[0]!.drop();
    await vi.waitFor(() => expect(events.stream.status).toBe('lost'));
    await vi.waitFor(() => expect(connections).toHaveLength(2), { timeout: 3000 });
    expect(connections[1]!.headers['last-event-id']).toBe('7');
    await vi.waitFor(() => expect(events.stream.status).toBe('open'));

    connections[1]!.send(frame('ui.RunStatus', { run_id: 'r1', mode: 'backtest', status: 'completed' }, '8'));
    await vi.waitFor(() => expect(got).toEqual(['7', '8']));
    expect(events.stream.lastCursor).toBe('8');
    stop();
  });

  it('a listener that throws does not stop the others', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const got: string[] = [];
    const stopA = events.listen(() => {
      throw new Error('boom');
    });
    const stopB = events.listen((e) => got.push(e.cursor));
    expect(connections.length).toBeLessThanOrEqual(1); // one connection for every listener
    await vi.waitFor(() => expect(events.stream.status).toBe('open'));
    connections[0]!.send(frame('ui.ActorState', { actor_id: 'walle', kind: 'walle', state: 'running' }, '3'));
    await vi.waitFor(() => expect(got).toEqual(['3']));
    expect(error).toHaveBeenCalled();
    expect(connections).toHaveLength(1);
    stopA();
    stopB();
    error.mockRestore();
  });

  it('closes the connection when the last listener goes, and sends the API key when there is one', async () => {
    auth.setApiKey('0123456789abcdef0123');
    const stop = events.listen(() => {});
    await vi.waitFor(() => expect(events.stream.status).toBe('open'));
    expect(connections[0]!.headers['x-api-key']).toBe('0123456789abcdef0123');
    stop();
    expect(events.stream.status).toBe('idle');
    expect(connections[0]!.signal?.aborted).toBe(true);
  });

  it('a 401 from the stream asks for the key and keeps trying as lost', async () => {
    answerStatus = 401;
    const stop = events.listen(() => {});
    await vi.waitFor(() => expect(auth.auth.needed).toBe(true));
    await vi.waitFor(() => expect(events.stream.status).toBe('lost'));
    stop();
  });
});
