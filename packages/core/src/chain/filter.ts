import type { AttributeBag } from '../context/attributes.js';
import type { Clock } from '../context/clock.js';
import type { Logger } from '../context/logger.js';
import type { PeerInfo } from '../context/peer.js';
import type { Principal } from '../context/principal.js';
import type { Engine } from '../engine/types.js';
import type { JsonRpcErrorObject, MessageKind } from '../message/jsonrpc.js';
import type { MessageView } from '../message/view.js';

/** Which way a message travels: `inbound` toward the server the chain protects, `outbound` away from it. */
export type Direction = 'inbound' | 'outbound';

/** The session an exchange belongs to. */
export interface SessionInfo {
  /** MCP session id where the protocol has one (absent on 2026-07-28, which has no sessions). */
  readonly id?: string;
  /** The negotiated MCP protocol version, where known. */
  readonly protocolVersion?: string;
}

/** Which filter refused an exchange and with what code. */
export interface Denial {
  readonly filter: string;
  readonly code: number;
}

/**
 * Everything about one exchange (a request with its response, or a notification) besides the
 * message itself. Shared by every filter of the chain for that exchange.
 */
export interface ExchangeContext {
  readonly direction: Direction;
  /** Transport name: `stdio`, `http`, `tcp`, `udp`, `sdk`, `memory`, ... */
  readonly transport: string;
  readonly session: SessionInfo;
  readonly peer: PeerInfo;
  /** Set by an authentication filter for the filters after it. */
  principal: Principal | undefined;
  /** Typed data filters pass to the filters after them. */
  readonly attributes: AttributeBag;
  readonly clock: Clock;
  /** Aborted when the exchange is cancelled or times out. */
  readonly signal: AbortSignal;
  /** Clock time the exchange entered the chain. */
  readonly startedAt: number;
  /** Set by the chain when a filter refused the exchange. */
  denial: Denial | undefined;
}

/** What a filter is handed for one exchange. */
export interface Exchange {
  /** The message as it reached this filter (filters before it may have transformed it). */
  readonly message: MessageView;
  readonly context: ExchangeContext;
  /** The engine of the chain (native or JS), for filters that use its primitives. */
  readonly engine: Engine;
  /**
   * Refuses the exchange: returns the error response to give back (for a request it carries the
   * request's id; a refused notification is dropped and counted). Use it as `return exchange.deny(...)`.
   */
  deny(code: number, message: string, data?: Record<string, unknown>): MessageView;
  /** Answers a request without calling `next()` (a short-circuit with a result). */
  respond(result: Record<string, unknown>): MessageView;
  /** Answers a request with an error object as is (e.g. a cached upstream error). */
  respondError(error: JsonRpcErrorObject): MessageView;
  /** Sends an event to the chain's event sink, tagged with this filter's name. */
  emit(type: string, payload?: Record<string, unknown>): void;
}

/**
 * Passes the exchange to the rest of the chain (and finally the upstream) and resolves with the
 * response: the response of a request, `undefined` once a notification was forwarded. Pass a
 * message to forward a transformed one. A filter may call it more than once (retry).
 */
export type Next = (message?: MessageView) => Promise<MessageView | undefined>;

/** A value or a promise of it: what the chain's internals pass around to avoid a promise per step. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * An around-style filter: code before `await next()` is the request phase, code after it the
 * response phase. Return the response to give back: `next()`'s, a transformed one, or a
 * short-circuit (`exchange.deny(...)`, `exchange.respond(...)`).
 */
export interface Filter {
  /** The filter type id (`rate_limit`, `authentication`, ..., or a custom type). */
  readonly type: string;
  handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> | MessageView | undefined;
  /** Never skipped by the PASSTHROUGH fallback: a failure rejects (all security filters). */
  readonly failClosed?: boolean;
  /** Releases what the filter holds (timers, tables, connections). */
  close?(): void | Promise<void>;
}

/** Tells the chain to pass the exchange on with a different (transformed) message. */
export interface Forward {
  readonly forward: MessageView;
}

/** Builds a {@link Forward} verdict: `return forward(transformed)` from a request phase. */
export function forward(message: MessageView): Forward {
  return { forward: message };
}

/**
 * What a {@link PhasedFilter}'s request phase decides: `undefined` passes the exchange on
 * unchanged, a {@link Forward} passes it on transformed, a message view answers it here (a
 * short-circuit: `exchange.deny(...)`, `exchange.respond(...)`), and the inner filters never see it.
 */
export type RequestVerdict = MessageView | Forward | undefined;

/** The exchange a {@link PhasedFilter} is handed, with a slot for its own per-exchange data. */
export interface PhasedExchange<S = unknown> extends Exchange {
  /** Whatever the filter keeps from its request phase for its response phase (starts undefined). */
  state: S | undefined;
  /**
   * `performance.now()` when the chain started this filter's request phase. The chain reads the
   * clock once for a run of consecutive phased filters and shares it, so a filter timing the
   * exchange on the system clock need not read it again.
   */
  readonly requestPhaseAt: number;
  /** `performance.now()` when the chain started this run's response phases (NaN before). */
  readonly responsePhaseAt: number;
}

/**
 * A filter written as its two phases instead of around `next()`: the same onion (its response
 * phase sees everything inside it, denials and errors included), but the chain runs consecutive
 * phased filters' request phases in one loop and their response phases in one continuation, so a
 * phase that returns synchronously costs a function call, not a promise. Use it for filters that
 * call the inside exactly once (`runInside` wraps that call in a scope, e.g. a tracing context);
 * write a {@link Filter} to retry or redirect it. Either phase may return a promise.
 */
export interface PhasedFilter<S = unknown> {
  readonly type: string;
  /** The request phase (absent: pass on unchanged). */
  onRequest?(exchange: PhasedExchange<S>): RequestVerdict | PromiseLike<RequestVerdict>;
  /**
   * The response phase: the response from further in (`undefined` once a notification was
   * forwarded); return it, a transformed one, or `exchange.deny(...)`. Not called when this
   * filter's own request phase answered.
   */
  onResponse?(exchange: PhasedExchange<S>, response: MessageView | undefined): MessageView | undefined | PromiseLike<MessageView | undefined>;
  /**
   * Runs the inside of the chain (the filters after this one, then the upstream) within a scope of
   * this filter's, e.g. `context.with(spanContext, inside)` for tracing; called after the request
   * phase passed the exchange on. Call `inside` exactly once, synchronously, and return what it
   * returns (a value or a promise). This filter's own response phase runs within the scope too
   * (with the inside, in the same continuation); the response phases of filters outside it do not.
   */
  runInside?(exchange: PhasedExchange<S>, inside: () => MaybePromise<MessageView | undefined>): MaybePromise<MessageView | undefined>;
  /** Never skipped by the PASSTHROUGH fallback: a failure rejects (all security filters). */
  readonly failClosed?: boolean;
  close?(): void | Promise<void>;
}

/** A completed exchange as read-only observers see it. */
export interface ObservedExchange {
  readonly message: MessageView;
  readonly response: MessageView | undefined;
  readonly context: ExchangeContext;
  readonly durationMs: number;
}

/**
 * A read-only observer: runs after each exchange, in parallel with the others and off the
 * exchange's path (the chain does not wait for it); it can never change or delay a message.
 */
export interface ObserverFilter {
  readonly type: string;
  readonly observer: true;
  observe(exchange: ObservedExchange): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** When a filter applies; a filter whose condition does not match is stepped over. */
export interface FilterCondition {
  /** Method globs (see `matchGlob`); a leading `!` excludes. */
  readonly methods?: readonly string[];
  readonly direction?: Direction;
  readonly transports?: readonly string[];
  readonly kinds?: readonly MessageKind[];
}

/** What a filter factory gets from the chain it is created for. */
export interface FilterSetup {
  /** The filter's name in the chain. */
  readonly name: string;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Sends an event to the chain's sink, tagged with this filter's name. */
  emit(type: string, payload?: Record<string, unknown>): void;
}

/**
 * A filter described but not yet made: what a family's factory (`rateLimit(options)`) returns, with
 * its options already validated. The chain creates it with its engine, clock, logger and event sink.
 */
export interface FilterDefinition {
  readonly type: string;
  /** Default name in the chain (the type when absent). */
  readonly name?: string;
  create(setup: FilterSetup): ChainFilter;
}

/** A made filter of any shape. */
export type ChainFilter = Filter | PhasedFilter | ObserverFilter;

/** Anything a chain accepts as a filter. */
export type FilterLike = ChainFilter | FilterDefinition;

/** True when `value` is an {@link ObserverFilter}. */
export function isObserver(value: ChainFilter): value is ObserverFilter {
  return (value as ObserverFilter).observer === true;
}

/** True when `value` is a {@link PhasedFilter} (phases and no `handle`). */
export function isPhased(value: ChainFilter): value is PhasedFilter {
  return (
    typeof (value as Filter).handle !== 'function' &&
    (typeof (value as PhasedFilter).onRequest === 'function' ||
      typeof (value as PhasedFilter).onResponse === 'function' ||
      typeof (value as PhasedFilter).runInside === 'function')
  );
}

/** True when `value` is a {@link FilterDefinition}. */
export function isDefinition(value: FilterLike): value is FilterDefinition {
  return (
    typeof (value as FilterDefinition).create === 'function' &&
    !('handle' in value) &&
    !('observe' in value) &&
    !('onRequest' in value) &&
    !('onResponse' in value) &&
    !('runInside' in value)
  );
}
