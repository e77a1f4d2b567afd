import {
  createExchangeContext,
  createJsEngine,
  FilterChain,
  ManualClock,
  ObjectMessageView,
  type ChainEvent,
  type ExchangeContext,
  type ExchangeContextInit,
  type FilterLike,
  type JsonRpcMessage,
  type Logger,
  type MessageView,
} from '@gopher-mcp/core';

import { T0 } from './keys.js';

/** What reached the upstream of a test chain. */
export interface Forwarded {
  readonly message: JsonRpcMessage;
  readonly context: ExchangeContext;
}

/** A logger that keeps every line (to check that nothing secret is logged). */
export function recordingLogger(): Logger & { readonly lines: unknown[] } {
  const lines: unknown[] = [];
  const log =
    (level: string) =>
    (a: unknown, b?: unknown): void => {
      lines.push({ level, a, b });
    };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * A chain of `filters` on the JS engine and a ManualClock at T0, whose upstream records what it
 * was given and answers requests with `upstreamResult(message)` (default `{ ok: true }`).
 */
export function testChain(
  filters: readonly FilterLike[],
  options: {
    readonly clock?: ManualClock;
    readonly logger?: Logger;
    readonly upstreamResult?: (message: MessageView) => Record<string, unknown>;
  } = {},
) {
  const clock = options.clock ?? new ManualClock(T0);
  const events: ChainEvent[] = [];
  const forwarded: Forwarded[] = [];
  const chain = new FilterChain({
    engine: createJsEngine(),
    clock,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    events: (event) => events.push(event),
  });
  for (const filter of filters) chain.add(filter);
  let nextId = 1;
  /** Runs one message; returns the response (undefined for a notification). */
  const run = async (message: Omit<JsonRpcMessage, 'jsonrpc'> | JsonRpcMessage, init: ExchangeContextInit = {}) => {
    const full = { jsonrpc: '2.0', ...message } as JsonRpcMessage;
    const context = createExchangeContext({ clock, transport: 'http', ...init });
    const response = await chain.run(new ObjectMessageView(full), context, async (m, ctx) => {
      forwarded.push({ message: m.message, context: ctx });
      if (m.kind !== 'request') return undefined;
      return new ObjectMessageView({ jsonrpc: '2.0', id: m.id as string | number, result: options.upstreamResult?.(m) ?? { ok: true } });
    });
    return { response: response?.message as (JsonRpcMessage & { error?: { code: number; message: string; data?: Record<string, unknown> }; result?: Record<string, unknown> }) | undefined, context };
  };
  /** A `tools/call` request with a fresh id and these headers. */
  const call = (tool: string, headers: Record<string, string | string[]> = {}, extra: ExchangeContextInit = {}) =>
    run({ id: nextId++, method: 'tools/call', params: { name: tool, arguments: {} } }, { ...extra, peer: { address: '127.0.0.1', headers, ...extra.peer } });
  return { chain, clock, events, forwarded, run, call, close: () => chain.close() };
}

/** `Authorization: Bearer <token>` headers. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
