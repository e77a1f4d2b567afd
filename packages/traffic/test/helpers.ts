import type { ChainEvent, Engine, ExchangeContextInit, FilterLike, JsonRpcMessage, MessageView } from '@gopher-mcp/core';
import { FilterManager, ManualClock } from '@gopher-mcp/core';

/** A request. */
export function request(id: number | string, method: string, params?: Record<string, unknown>): JsonRpcMessage {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

/** A tools/call request. */
export function toolCall(id: number | string, name: string, meta?: Record<string, unknown>): JsonRpcMessage {
  return request(id, 'tools/call', { name, arguments: {}, ...(meta === undefined ? {} : { _meta: meta }) });
}

/** A notification. */
export function notification(method: string, params?: Record<string, unknown>): JsonRpcMessage {
  return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
}

/** A result answering `message`. */
export function ok(message: MessageView, result: Record<string, unknown> = {}): JsonRpcMessage {
  return { jsonrpc: '2.0', id: message.id as number | string, result };
}

/** An error answering `message`. */
export function fail(message: MessageView, code: number, data?: Record<string, unknown>): JsonRpcMessage {
  return { jsonrpc: '2.0', id: message.id as number | string, error: { code, message: `failed with ${code}`, ...(data === undefined ? {} : { data }) } };
}

/** Lets every pending promise callback and I/O callback run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A manager over `filters` with a ManualClock and an event log. */
export function setup(engine: Engine, filters: ReadonlyArray<FilterLike | readonly [FilterLike, { name?: string }]>, start = 0) {
  const clock = new ManualClock(start);
  const events: ChainEvent[] = [];
  const manager = new FilterManager({ engine, clock, events: (e) => events.push(e), filters });
  return { clock, events, manager };
}

/** The outcome of a response in a short form: `ok`, or `<code>`, or `dropped`. */
export function outcome(response: JsonRpcMessage | undefined): string {
  if (response === undefined) return 'dropped';
  if ('error' in response) return String(response.error.code);
  if ('result' in response) return 'ok';
  return 'forwarded';
}

/** Context of an exchange from a session. */
export function inSession(id: string, extra: ExchangeContextInit = {}): ExchangeContextInit {
  return { ...extra, session: { id } };
}
