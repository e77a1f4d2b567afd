import type { EntryOptions, FallbackBehavior } from '../chain/entry.js';
import type { ChainEventSink } from '../chain/events.js';
import type { ExchangeContext, FilterLike, MaybePromise } from '../chain/filter.js';
import { engineLatency } from '../chain/engine-latency.js';
import { FilterChain, type DefaultResponse, type Terminal } from '../chain/filter-chain.js';
import { getDefaultEngine } from '../engine/loader.js';
import type { ChainStats, LatencyRecorder } from '../chain/stats.js';
import { systemClock, type Clock } from '../context/clock.js';
import { createExchangeContext, type ExchangeContextInit } from '../context/create-context.js';
import type { Logger } from '../context/logger.js';
import type { Engine } from '../engine/types.js';
import { ErrorCode } from '../errors/codes.js';
import { ClosedError } from '../errors/filter-errors.js';
import { errorResponse, type JsonRpcMessage } from '../message/jsonrpc.js';
import { errorView } from '../message/responses.js';
import { InvalidMessageError, isMessageView, toMessageView, type MessageInput } from '../message/to-view.js';
import type { MessageView } from '../message/view.js';
import type { FilterManagerConfigInput } from '../config/filter-manager-config.js';
import { filterManagerFromConfig, type FromConfigOptions } from './from-config.js';
import { AwaitingResponses, exchangeKey } from './awaiting-responses.js';
import { LazyAbort } from './lazy-abort.js';
import { isPromiseLike } from '../chain/promise-like.js';

/** The upstream of {@link FilterManager.handle}: forwards a message and resolves with its response. */
export type Upstream = (
  message: MessageView,
  context: ExchangeContext,
) => Promise<MessageView | JsonRpcMessage | undefined> | MessageView | JsonRpcMessage | undefined;

/** Options of a {@link FilterManager} built in code. */
export interface FilterManagerOptions {
  /** A chain built beforehand; or give `filters`. */
  readonly chain?: FilterChain;
  /** Filters to compose, outermost first (each may carry placement options). */
  readonly filters?: ReadonlyArray<FilterLike | readonly [FilterLike, EntryOptions]>;
  readonly engine?: Engine;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly events?: ChainEventSink;
  readonly fallback?: FallbackBehavior;
  readonly defaultResponse?: DefaultResponse;
  /**
   * Latency recorders for the chain's statistics: `true` (default) uses the engine's histograms,
   * `false` measures nothing, or pass a factory of your own.
   */
  readonly latency?: boolean | ((name: string) => LatencyRecorder);
  /** A forwarded request whose response has not come after this long is answered with 504 (default 60 s). */
  readonly exchangeTimeoutMs?: number;
  /** Upstream attempts when `handle()`'s upstream throws (default 0: no retry). */
  readonly upstreamRetries?: number;
  /**
   * Receives the 504 response of a request forwarded by `process()` whose response never came
   * (message-at-a-time mode has no caller waiting for it): send it to the requester.
   */
  readonly onTimeout?: (response: JsonRpcMessage, init: ExchangeContextInit) => void;
}

/** Counters of a manager: its chain's and the exchanges waiting for a response. */
export interface FilterManagerStats extends ChainStats {
  readonly pendingResponses: number;
  readonly timedOut: number;
}

/**
 * Runs MCP messages through a filter chain. Two ways to drive it:
 * - message at a time, as the seed API: `process(request)` runs the request phase and resolves
 *   with the message to forward (or the error response to give back); `processResponse(response)`
 *   runs the response phase of the exchange with the same id;
 * - a whole exchange with `handle(message, upstream)`, which also lets filters forward more than once (retry).
 */
export class FilterManager implements AsyncDisposable {
  readonly chain: FilterChain;
  private readonly pending: AwaitingResponses;
  private readonly exchangeTimeoutMs: number;
  private readonly upstreamRetries: number;
  private readonly onTimeout: FilterManagerOptions['onTimeout'];
  private timedOutCount = 0;
  private closed = false;

  constructor(options: FilterManagerOptions = {}) {
    const engine = options.engine ?? (options.chain === undefined ? getDefaultEngine() : options.chain.engine);
    const latency = options.latency === false ? undefined : options.latency === true || options.latency === undefined ? engineLatency(engine) : options.latency;
    this.chain =
      options.chain ??
      new FilterChain({
        engine,
        clock: options.clock ?? systemClock,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.events === undefined ? {} : { events: options.events }),
        ...(options.fallback === undefined ? {} : { fallback: options.fallback }),
        ...(options.defaultResponse === undefined ? {} : { defaultResponse: options.defaultResponse }),
        ...(latency === undefined ? {} : { latency }),
      });
    for (const item of options.filters ?? []) {
      if (Array.isArray(item)) this.chain.add(item[0] as FilterLike, item[1] as EntryOptions);
      else this.chain.add(item as FilterLike);
    }
    this.exchangeTimeoutMs = options.exchangeTimeoutMs ?? 60_000;
    this.pending = new AwaitingResponses(this.chain.clock, this.exchangeTimeoutMs);
    this.upstreamRetries = options.upstreamRetries ?? 0;
    this.onTimeout = options.onTimeout;
  }

  /**
   * Builds a manager from a configuration object (see `filterManagerConfigSchema`): invalid config
   * fails here with the path and the reason; a filter whose family package is not installed fails
   * with the package to install.
   */
  static fromConfig(config: FilterManagerConfigInput | unknown, options?: FromConfigOptions): Promise<FilterManager> {
    return filterManagerFromConfig(config, options);
  }

  /** The engine the chain's filters use. */
  get engine(): Engine {
    return this.chain.engine;
  }

  /**
   * Runs the request phase of `message`. Resolves with the message to forward (possibly
   * transformed), the error response to give back when a filter refused it, or `undefined` for a
   * notification that was refused (dropped). Bad input resolves with a -32600 error response.
   */
  process(message: MessageInput, init: ExchangeContextInit = {}): Promise<JsonRpcMessage | undefined> {
    const view = this.parse(message);
    if (!isMessageView(view)) return Promise.resolve(view);
    if (this.closed) return Promise.resolve(errorView(view, ErrorCode.UNAVAILABLE, 'the filter manager is closed').message);
    const context = this.context(init);
    if (view.kind === 'notification') return this.processNotification(view, context);
    if (view.kind !== 'request') return this.processResponse(view, init);
    const key = exchangeKey(context.session.id, view.id);
    if (this.pending.has(key)) {
      return Promise.resolve(errorView(view, ErrorCode.INVALID_REQUEST, 'a request with this id is already in flight', { reason: 'duplicate id' }).message);
    }
    return new Promise<JsonRpcMessage | undefined>((resolveProcess) => {
      let forwarded = false;
      let timedOut = false;
      const terminal: Terminal = (forwardedMessage) => {
        if (forwarded) {
          return Promise.resolve(
            errorView(forwardedMessage, ErrorCode.INTERNAL_ERROR, 'a filter forwarded this request twice; use FilterManager.handle() with an upstream for filters that retry'),
          );
        }
        forwarded = true;
        const response = this.pending.wait(key, new LazyAbort(), (reason) => {
          if (reason !== 'timeout') return errorView(forwardedMessage, ErrorCode.UNAVAILABLE, 'the filter manager closed');
          this.timedOutCount++;
          timedOut = true;
          return errorView(forwardedMessage, ErrorCode.TIMEOUT, 'no response from the upstream in time', { timeoutMs: this.exchangeTimeoutMs });
        });
        resolveProcess(forwardedMessage.message);
        return response;
      };
      void this.chain.run(view, context, terminal).then((response) => {
        const settled = this.responseWaiters.get(key);
        if (settled !== undefined) {
          this.responseWaiters.delete(key);
          settled(response);
        }
        if (!forwarded) resolveProcess(response?.message);
        else if (timedOut && response !== undefined) this.onTimeout?.(response.message, init);
      });
    });
  }

  /** Resolvers of `processResponse()` calls waiting for their exchange's response phase. */
  private readonly responseWaiters = new Map<string, (response: MessageView | undefined) => void>();

  /**
   * Runs the response phase of the exchange `response` answers (same id, same session) and
   * resolves with the response to give back. A response to a request that timed out resolves
   * with `undefined` (the requester already got a 504); one that matches no exchange is
   * returned unchanged.
   */
  processResponse(response: MessageInput, init: ExchangeContextInit = {}): Promise<JsonRpcMessage | undefined> {
    const view = this.parse(response);
    if (!isMessageView(view)) return Promise.resolve(view);
    const key = exchangeKey(init.session?.id, view.id);
    const outcome = this.pending.settle(key, view);
    if (outcome === 'late') return Promise.resolve(undefined);
    if (outcome === 'none') return Promise.resolve(view.message);
    // The chain resumes its response phases in a later microtask: the resolver is in place by then.
    return new Promise<JsonRpcMessage | undefined>((resolve) => {
      this.responseWaiters.set(key, (final) => resolve(final?.message));
    });
  }

  /** Runs both phases for a request whose response is already known. */
  async processRequestResponse(request: MessageInput, response: MessageInput, init: ExchangeContextInit = {}): Promise<JsonRpcMessage | undefined> {
    const forwarded = await this.process(request, init);
    if (forwarded === undefined || !('method' in forwarded)) return forwarded;
    return this.processResponse(response, init);
  }

  /**
   * Runs a whole exchange: the chain, then `upstream` for what it forwards, then the response
   * phases. Resolves with the response of a request, or `undefined` for a notification.
   */
  handle(message: MessageInput, upstream: Upstream, init: ExchangeContextInit = {}): Promise<JsonRpcMessage | undefined> {
    const view = this.parse(message);
    if (!isMessageView(view)) return Promise.resolve(view);
    if (this.closed) return Promise.reject(new ClosedError('the filter manager is closed'));
    const context = this.context(init);
    const terminal: Terminal = (forwarded, ctx) => this.callUpstream(upstream, forwarded, ctx, 0);
    let outcome: MaybePromise<MessageView | undefined>;
    try {
      outcome = this.chain.execute(view, context, terminal);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return outcome instanceof Promise ? outcome.then(messageOf) : Promise.resolve(outcome?.message);
  }

  /** One upstream attempt, and the next ones (`upstreamRetries`) while it throws; synchronous when the upstream is. */
  private callUpstream(upstream: Upstream, message: MessageView, context: ExchangeContext, attempt: number): MaybePromise<MessageView | undefined> {
    let result: ReturnType<Upstream>;
    try {
      result = upstream(message, context);
    } catch (error) {
      if (attempt >= this.upstreamRetries) throw error;
      return this.callUpstream(upstream, message, context, attempt + 1);
    }
    if (!isPromiseLike(result)) return result === undefined ? undefined : toMessageView(result, this.engine);
    return Promise.resolve(result).then(
      (answer) => (answer === undefined ? undefined : toMessageView(answer, this.engine)),
      (error: unknown) => {
        if (attempt >= this.upstreamRetries) throw error;
        return this.callUpstream(upstream, message, context, attempt + 1);
      },
    );
  }

  /** The chain's counters plus the exchanges waiting for a response. */
  getStats(): FilterManagerStats {
    return { ...this.chain.getStats(), pendingResponses: this.pending.size, timedOut: this.timedOutCount };
  }

  /** Answers every waiting exchange with 503, closes the filters and refuses new messages. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.releaseAll('closed');
    await this.chain.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private processNotification(view: MessageView, context: ExchangeContext): Promise<JsonRpcMessage | undefined> {
    return new Promise((resolve) => {
      let forwarded: JsonRpcMessage | undefined;
      void this.chain
        .run(view, context, (message) => {
          forwarded = message.message;
          return Promise.resolve(undefined);
        })
        .then(() => resolve(forwarded));
    });
  }

  private context(init: ExchangeContextInit): ExchangeContext {
    return createExchangeContext(init, this.chain.clock);
  }

  /** A view of `input`, or the -32600 error response answering input that is not a JSON-RPC message. */
  private parse(input: MessageInput): MessageView | JsonRpcMessage {
    try {
      return toMessageView(input, this.engine);
    } catch (error) {
      if (error instanceof InvalidMessageError) return error.response;
      const reason = error instanceof Error ? error.message : String(error);
      return errorResponse(null, ErrorCode.INVALID_REQUEST, 'invalid JSON-RPC message', { reason });
    }
  }
}

function messageOf(view: MessageView | undefined): JsonRpcMessage | undefined {
  return view?.message;
}

