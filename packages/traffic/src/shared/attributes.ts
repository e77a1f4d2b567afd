import { attributeKey, type ExchangeContext, type MessageView } from '@gopher-mcp/core';

/**
 * The upstream target chosen for an exchange (a load balancer target id). Set by the
 * `load_balancer` filter before it forwards; read by transports, the gateway and
 * {@link upstreamDispatcher} to send the exchange to that target.
 */
export const UPSTREAM_TARGET = attributeKey<string>('gopher.upstream');

/**
 * Set by a transport (or an upstream function) once any part of a request's response has been
 * passed on to the requester: a progress notification, the first event of a stream. The `retry`
 * filter never repeats a request whose response has started. Use {@link markResponseStarted}.
 */
export const RESPONSE_STARTED = attributeKey<boolean>('gopher.response_started');

/** Marks the exchange's response as started (see {@link RESPONSE_STARTED}). */
export function markResponseStarted(context: ExchangeContext): void {
  context.attributes.set(RESPONSE_STARTED, true);
}

/** What the `rate_limit` filter tells the filters and the transport after it about an allowed request. */
export interface RateLimitResult {
  /** The limit with the fewest units left. */
  readonly limit: string;
  /** Whole units left in that limit after this request. */
  readonly remaining: number;
}

/** The tightest limit of an allowed request, for transports that send rate-limit headers. */
export const RATE_LIMIT_RESULT = attributeKey<RateLimitResult>('gopher.rate_limit');

/** A call let through by an {@link UpstreamGate}: report how it ended (exactly once). */
export interface GatePass {
  readonly admitted: true;
  /**
   * Reports the call's end: its response (undefined when none came), its duration, and the
   * context's denial before the call (to tell a refusal by an inner filter from an upstream failure).
   */
  complete(response: MessageView | undefined, durationMs: number, context: ExchangeContext, denialBefore: ExchangeContext['denial']): void;
  /** Gives the pass back unused (the call was not made). */
  release(): void;
}

/** A call refused by an {@link UpstreamGate}. */
export interface GateRefusal {
  readonly admitted: false;
  /** When the target may take calls again, in ms. */
  readonly retryAfterMs: number;
}

/**
 * Per-target admission offered by a `circuit_breaker` keyed on `upstream` to a `load_balancer`
 * inside it: the balancer asks before sending a call to a target, skips targets whose circuit is
 * open, and reports every call's end so each target's circuit sees its own calls.
 */
export interface UpstreamGate {
  admit(target: string): GatePass | GateRefusal;
}

/** Where a `circuit_breaker` keyed on `upstream` leaves its {@link UpstreamGate} for a load balancer. */
export const UPSTREAM_GATE = attributeKey<UpstreamGate>('gopher.upstream_gate');
