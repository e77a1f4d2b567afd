import {
  type Direction,
  ErrorCode,
  errorView,
  type ExchangeContext,
  type FilterChain,
  type JsonRpcId,
  type JsonRpcMessage,
  type LazyAbort,
  type Logger,
  type MessageView,
  type ReleaseReason,
  type Terminal,
} from '@gopher-mcp/core';

import type { SdkMessageExtraInfo, SdkSendOptions } from './sdk-types.js';

/**
 * The code of the synthetic response the response phases see when a request was cancelled by its
 * requester (`notifications/cancelled`, or an aborted per-request stream). It is never sent: MCP
 * says a cancelled request gets no response. (-32800 is the JSON-RPC "request cancelled" code of
 * LSP, outside the range JSON-RPC reserves.)
 */
export const REQUEST_CANCELLED = -32800;

/** What the two exchange flows of a {@link GopherTransport} need from it. */
export interface ExchangeHost {
  readonly chain: FilterChain;
  readonly logger: Logger;
  /** True once the transport is closing: nothing more is handed on. */
  readonly closing: boolean;
  /** The context of a new exchange; its `signal` is `abort`'s. */
  context(direction: Direction, abort: LazyAbort, extra: SdkMessageExtraInfo | undefined): ExchangeContext;
  /** Hands a message to the local SDK (its `onmessage`). */
  deliver(message: JsonRpcMessage, extra: SdkMessageExtraInfo | undefined): void;
  /** Sends a message through the inner transport. */
  forward(message: JsonRpcMessage, options: SdkSendOptions | undefined): Promise<void>;
  /** Reports an out-of-band failure (the SDK's `onerror`). */
  reportError(error: Error): void;
  /** Notes the protocol version an `initialize` result negotiated. */
  observeResponse(request: MessageView, response: MessageView): void;
  /** Registers an exchange in flight, so that `close()` can abort it and wait for it. */
  begin(abort: LazyAbort): void;
  /** The exchange registered with `abort` ended. */
  end(abort: LazyAbort): void;
  /** Timeout of a wait for a response, for the 504's data. */
  readonly exchangeTimeoutMs: number;
}

/** The synthetic response the response phases see when a wait ends without the real response. */
export function releasedResponse(request: MessageView, reason: ReleaseReason, timeoutMs: number): MessageView {
  switch (reason) {
    case 'timeout':
      return errorView(request, ErrorCode.TIMEOUT, 'no response in time', { timeoutMs });
    case 'cancelled':
      return errorView(request, REQUEST_CANCELLED, 'the request was cancelled by its requester');
    case 'closed':
      return errorView(request, ErrorCode.UNAVAILABLE, 'the transport closed');
    case 'unsent':
      return errorView(request, ErrorCode.UNAVAILABLE, 'the transport could not send the request');
  }
}

/**
 * Runs one exchange through the chain, then `finish` with its outcome. Never throws: a chain that
 * cannot run (it was closed) answers a request with 503 and drops a notification; a failure of
 * `finish` is reported as an out-of-band error.
 */
export function runExchange(host: ExchangeHost, view: MessageView, context: ExchangeContext, terminal: Terminal, finish: (final: MessageView | undefined) => void): void {
  const done = (final: MessageView | undefined): void => {
    try {
      finish(final);
    } catch (error) {
      host.reportError(asError(error));
    }
  };
  let running: Promise<MessageView | undefined>;
  try {
    running = host.chain.run(view, context, terminal);
  } catch (error) {
    running = Promise.reject(error);
  }
  running.then(done, (error: unknown) => {
    host.logger.warn({ err: describe(error), method: view.method }, 'gopher-mcp: the filter chain could not run an exchange');
    done(view.kind === 'request' ? errorView(view, ErrorCode.UNAVAILABLE, 'the filter chain is not available') : undefined);
  });
}

/** A settled promise of nothing, shared. */
export const NOTHING: Promise<undefined> = Promise.resolve(undefined);

/** The `requestId` a `notifications/cancelled` names, if any. */
export function cancelledRequestId(message: MessageView): JsonRpcId | undefined {
  if (message.method !== 'notifications/cancelled') return undefined;
  const params = message.params as { requestId?: unknown } | undefined;
  const id = params?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** A promise with its settle functions (return its promise to someone who awaits it). */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  /** True once resolved or rejected. */
  readonly settled: boolean;
}

class SettleOnce<T> implements Deferred<T> {
  readonly promise: Promise<T>;
  private settleWith: ((value: T) => void) | undefined;
  private failWith: ((error: unknown) => void) | undefined;
  private done = false;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.settleWith = resolve;
      this.failWith = reject;
    });
  }

  get settled(): boolean {
    return this.done;
  }

  resolve(value: T): void {
    if (this.done) return;
    this.done = true;
    this.settleWith?.(value);
  }

  reject(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failWith?.(error);
  }
}

/** Makes a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  return new SettleOnce<T>();
}

/** A short description of an error for logs (never a message body). */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** `error` as an Error. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
