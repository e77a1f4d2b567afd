import {
  circuitBreakerOptionsSchema,
  ConfigError,
  ErrorCode,
  parseWithSchema,
  type CircuitBreakerConfig,
  type CircuitBreakerConfigInput,
  type Exchange,
  type ExchangeContext,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type PhasedExchange,
  type PhasedFilter,
  type RequestVerdict,
  LruMap,
} from '@gopher-mcp/core';

import { arrivalTime } from '../shared/arrival.js';
import { UPSTREAM_GATE, UPSTREAM_TARGET, type GatePass, type GateRefusal, type UpstreamGate } from '../shared/attributes.js';
import { classifyOutcome, isToolError, type CallOutcome } from '../shared/outcome.js';
import { Circuit, type CircuitPermit, type CircuitSnapshot, type CircuitState, type CircuitTransitionReason } from './circuit.js';

/** A custom circuit key: the circuit an exchange belongs to, or undefined to let it through unguarded. */
export type CircuitKeyFunction = (exchange: Exchange) => string | undefined;

/** What the `circuit_breaker` factory takes besides its config. */
export interface CircuitBreakerRuntimeOptions {
  /** Functions the `{ custom: name }` key names. */
  readonly keyFunctions?: Readonly<Record<string, CircuitKeyFunction>>;
}

/** Options of {@link circuitBreaker}: the config (see `circuitBreakerOptionsSchema`) plus the runtime options. */
export type CircuitBreakerOptions = CircuitBreakerConfigInput & CircuitBreakerRuntimeOptions;

/** The payload of the `circuit_state` event a circuit breaker sends to the chain's event sink. */
export interface CircuitStateEvent {
  readonly target: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: CircuitTransitionReason;
}

/** The circuit an upstream-keyed breaker uses when no target is known and no load balancer asks: the one upstream. */
export const DEFAULT_UPSTREAM_TARGET = 'default';

/**
 * The circuit_breaker filter. Each target (upstream, tool, method or custom key) has its own
 * circuit; a request to an open circuit is refused at once with 503 and `data.retryAfterMs`.
 * Failures are the error codes in `failureCodes` and missing responses (and, with
 * `countToolErrors`, `tools/call` results with `isError: true`); refusals by filters inside the
 * breaker (`context.denial`) and cancelled exchanges are not counted.
 *
 * Keyed on `upstream`, the breaker uses the `gopher.upstream` attribute when it is already set;
 * otherwise it leaves an {@link UpstreamGate} for a `load_balancer` inside it, which skips targets
 * whose circuit is open and reports each call to its target's circuit; with no balancer inside,
 * the exchange counts against the `default` circuit.
 */
export class CircuitBreakerFilter implements PhasedFilter<BreakerCall> {
  readonly type = 'circuit_breaker';
  private readonly circuits: LruMap<string, Circuit>;
  private readonly failureCodes: ReadonlySet<number>;
  private readonly countToolErrors: boolean;
  private readonly targetOf: ((exchange: Exchange) => string | undefined) | undefined;

  constructor(
    private readonly config: CircuitBreakerConfig,
    keyFunction: CircuitKeyFunction | undefined,
    private readonly setup: FilterSetup,
  ) {
    this.failureCodes = new Set(config.failureCodes);
    this.countToolErrors = config.countToolErrors;
    this.circuits = new LruMap(config.maxCircuits);
    const key = config.key;
    if (key === 'tool') this.targetOf = (e) => e.message.toolName;
    else if (key === 'method') this.targetOf = (e) => e.message.method;
    else if (key === 'upstream') this.targetOf = undefined;
    else this.targetOf = keyFunction;
  }

  /** The request phase: a permit from the target's circuit (kept for the response phase), or 503 when it is open. */
  onRequest(exchange: PhasedExchange<BreakerCall>): RequestVerdict {
    if (exchange.message.kind !== 'request') return undefined;
    if (this.targetOf === undefined) {
      const preset = exchange.context.attributes.get(UPSTREAM_TARGET);
      return preset === undefined ? this.gated(exchange) : this.guarded(exchange, preset);
    }
    const target = this.targetOf(exchange);
    return target === undefined ? undefined : this.guarded(exchange, target);
  }

  /** The response phase: counts the call's outcome against its circuit (or gives an unused permit back). */
  onResponse(exchange: PhasedExchange<BreakerCall>, response: MessageView | undefined): MessageView | undefined {
    const call = exchange.state;
    if (call === undefined) return response;
    const { circuit, permit } = call;
    if (call.gate !== undefined) {
      const attributes = exchange.context.attributes;
      if (call.previousGate === undefined) attributes.delete(UPSTREAM_GATE);
      else attributes.set(UPSTREAM_GATE, call.previousGate);
      // A load balancer inside reported each call to its target's circuit: the fallback permit goes back unused.
      if (call.gate.used) {
        circuit.release(permit);
        return response;
      }
    }
    const now = this.setup.clock.now();
    circuit.record(permit, this.outcome(response, exchange, call.denialBefore), now - call.started, now);
    return response;
  }

  /** The state of `target`'s circuit now (`closed` for a target never seen). */
  state(target: string): CircuitState {
    return this.circuits.peek(target)?.state(this.setup.clock.now()) ?? 'closed';
  }

  /** Every circuit held, as read now. */
  snapshot(): CircuitSnapshot[] {
    const now = this.setup.clock.now();
    return [...this.circuits.values()].map((c) => c.snapshot(now));
  }

  close(): void {
    this.circuits.clear();
  }

  private circuit(target: string): Circuit {
    let circuit = this.circuits.get(target);
    if (circuit === undefined) {
      circuit = new Circuit(target, this.config, this.onTransition);
      this.circuits.set(target, circuit);
    }
    return circuit;
  }

  /** How a call ended for the circuit: {@link classifyOutcome}, and a tool error as a failure when configured. */
  private outcome(response: MessageView | undefined, exchange: Exchange, denialBefore: ExchangeContext['denial']): CallOutcome {
    const outcome = classifyOutcome(response, this.failureCodes, exchange.context, denialBefore);
    return outcome === 'success' && this.countToolErrors && isToolError(exchange.message, response) ? 'failure' : outcome;
  }

  private readonly onTransition = (target: string, from: CircuitState, to: CircuitState, reason: CircuitTransitionReason): void => {
    this.setup.logger.info({ filter: this.setup.name, target, from, to, reason }, 'gopher-mcp: circuit state changed');
    const event: CircuitStateEvent = { target, from, to, reason };
    this.setup.emit('circuit_state', { ...event });
  };

  private refuse(exchange: Exchange, target: string, retryAfterMs: number): MessageView {
    const data: Record<string, unknown> = { retryAfterMs };
    if (typeof this.config.key === 'string') data.circuit = target;
    return exchange.deny(ErrorCode.UNAVAILABLE, 'circuit open', data);
  }

  /**
   * When a call starts: the exchange's arrival (no clock read) unless slow calls are tracked, which
   * need the call's own duration.
   */
  private callStart(exchange: Exchange): number {
    return this.config.slowCallMs === undefined ? arrivalTime(exchange.context, this.setup.clock) : this.setup.clock.now();
  }

  private guarded(exchange: PhasedExchange<BreakerCall>, target: string): MessageView | undefined {
    const circuit = this.circuit(target);
    const now = this.callStart(exchange);
    const permit = circuit.acquire(now);
    if (typeof permit === 'number') return this.refuse(exchange, target, permit);
    exchange.state = new BreakerCall(circuit, permit, now, exchange.context.denial, undefined, undefined);
    return undefined;
  }

  /** No target yet: offer a gate to a load balancer inside, and fall back to the default circuit. */
  private gated(exchange: PhasedExchange<BreakerCall>): MessageView | undefined {
    const fallback = this.circuit(DEFAULT_UPSTREAM_TARGET);
    const now = this.callStart(exchange);
    const permit = fallback.acquire(now);
    if (typeof permit === 'number') return this.refuse(exchange, DEFAULT_UPSTREAM_TARGET, permit);
    const attributes = exchange.context.attributes;
    const gate = { used: false };
    exchange.state = new BreakerCall(fallback, permit, now, exchange.context.denial, gate, attributes.get(UPSTREAM_GATE));
    attributes.set(UPSTREAM_GATE, this.gate(gate, exchange.message));
    return undefined;
  }

  private gate(state: { used: boolean }, request: MessageView): UpstreamGate {
    return {
      admit: (target: string): GatePass | GateRefusal => {
        state.used = true;
        const circuit = this.circuit(target);
        const permit = circuit.acquire(this.setup.clock.now());
        if (typeof permit === 'number') return { admitted: false, retryAfterMs: permit };
        const failureCodes = this.failureCodes;
        const countToolErrors = this.countToolErrors;
        const clock = this.setup.clock;
        return {
          admitted: true,
          complete(response: MessageView | undefined, durationMs: number, context: ExchangeContext, denialBefore: ExchangeContext['denial']) {
            let outcome = classifyOutcome(response, failureCodes, context, denialBefore);
            if (outcome === 'success' && countToolErrors && isToolError(request, response)) outcome = 'failure';
            circuit.record(permit, outcome, durationMs, clock.now());
          },
          release() {
            circuit.release(permit);
          },
        };
      },
    };
  }
}

/** What the breaker keeps from a request it let through for its response phase. */
class BreakerCall {
  constructor(
    readonly circuit: Circuit,
    readonly permit: CircuitPermit,
    /** Clock ms the call started (the permit's time). */
    readonly started: number,
    /** `context.denial` before the call: a new one means a filter inside refused it. */
    readonly denialBefore: ExchangeContext['denial'],
    /** The gate offered to a load balancer inside (upstream key, no target yet). */
    readonly gate: { used: boolean } | undefined,
    /** The gate of an outer breaker, put back afterwards. */
    readonly previousGate: UpstreamGate | undefined,
  ) {}
}

/** Makes the filter definition from validated config and the runtime options. */
export function defineCircuitBreaker(config: CircuitBreakerConfig, runtime: CircuitBreakerRuntimeOptions = {}): FilterDefinition {
  let keyFunction: CircuitKeyFunction | undefined;
  if (typeof config.key === 'object') {
    keyFunction = runtime.keyFunctions?.[config.key.custom];
    if (keyFunction === undefined) {
      throw new ConfigError(`invalid circuit_breaker options: key: no key function named "${config.key.custom}" (pass it in keyFunctions)`, [
        { path: 'key', message: `unknown key function "${config.key.custom}"` },
      ]);
    }
  }
  return {
    type: 'circuit_breaker',
    ...(config.name === undefined ? {} : { name: config.name }),
    create: (setup: FilterSetup) => new CircuitBreakerFilter(config, keyFunction, setup),
  };
}

/** The circuit_breaker filter factory: validates `options` and returns the filter definition. */
export function circuitBreaker(options: CircuitBreakerOptions = {}): FilterDefinition {
  const { keyFunctions, ...config } = options;
  const parsed = parseWithSchema(circuitBreakerOptionsSchema, config, 'circuit_breaker options');
  return defineCircuitBreaker(parsed, keyFunctions === undefined ? {} : { keyFunctions });
}
