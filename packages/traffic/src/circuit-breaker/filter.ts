import {
  circuitBreakerOptionsSchema,
  ConfigError,
  ErrorCode,
  parseWithSchema,
  type CircuitBreakerConfig,
  type CircuitBreakerConfigInput,
  type Exchange,
  type ExchangeContext,
  type Filter,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type Next,
} from '@gopher-mcp/core';

import { UPSTREAM_GATE, UPSTREAM_TARGET, type GatePass, type GateRefusal, type UpstreamGate } from '../shared/attributes.js';
import { LruMap } from '../shared/lru-map.js';
import { classifyOutcome } from '../shared/outcome.js';
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
 * Failures are the error codes in `failureCodes` and missing responses; refusals by filters
 * inside the breaker (`context.denial`) and cancelled exchanges are not counted.
 *
 * Keyed on `upstream`, the breaker uses the `gopher.upstream` attribute when it is already set;
 * otherwise it leaves an {@link UpstreamGate} for a `load_balancer` inside it, which skips targets
 * whose circuit is open and reports each call to its target's circuit; with no balancer inside,
 * the exchange counts against the `default` circuit.
 */
export class CircuitBreakerFilter implements Filter {
  readonly type = 'circuit_breaker';
  private readonly circuits: LruMap<string, Circuit>;
  private readonly failureCodes: ReadonlySet<number>;
  private readonly targetOf: ((exchange: Exchange) => string | undefined) | undefined;

  constructor(
    private readonly config: CircuitBreakerConfig,
    keyFunction: CircuitKeyFunction | undefined,
    private readonly setup: FilterSetup,
  ) {
    this.failureCodes = new Set(config.failureCodes);
    this.circuits = new LruMap(config.maxCircuits);
    const key = config.key;
    if (key === 'tool') this.targetOf = (e) => e.message.toolName;
    else if (key === 'method') this.targetOf = (e) => e.message.method;
    else if (key === 'upstream') this.targetOf = undefined;
    else this.targetOf = keyFunction;
  }

  handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> | MessageView | undefined {
    if (exchange.message.kind !== 'request') return next();
    if (this.targetOf === undefined) {
      const preset = exchange.context.attributes.get(UPSTREAM_TARGET);
      return preset === undefined ? this.gated(exchange, next) : this.guarded(exchange, next, preset);
    }
    const target = this.targetOf(exchange);
    return target === undefined ? next() : this.guarded(exchange, next, target);
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

  private guarded(exchange: Exchange, next: Next, target: string): Promise<MessageView | undefined> | MessageView {
    const circuit = this.circuit(target);
    const permit = circuit.acquire(this.setup.clock.now());
    if (typeof permit === 'number') return this.refuse(exchange, target, permit);
    return this.call(exchange, next, circuit, permit);
  }

  private async call(exchange: Exchange, next: Next, circuit: Circuit, permit: CircuitPermit, gate?: { used: boolean }): Promise<MessageView | undefined> {
    const clock = this.setup.clock;
    const context = exchange.context;
    const denialBefore = context.denial;
    const started = clock.now();
    let response: MessageView | undefined;
    try {
      response = await next();
    } catch (error) {
      if (gate?.used === true) circuit.release(permit);
      else circuit.record(permit, 'failure', clock.now() - started, clock.now());
      throw error;
    }
    if (gate?.used === true) circuit.release(permit);
    else circuit.record(permit, classifyOutcome(response, this.failureCodes, context, denialBefore), clock.now() - started, clock.now());
    return response;
  }

  /** No target yet: offer a gate to a load balancer inside, and fall back to the default circuit. */
  private async gated(exchange: Exchange, next: Next): Promise<MessageView | undefined> {
    const clock = this.setup.clock;
    const fallback = this.circuit(DEFAULT_UPSTREAM_TARGET);
    const permit = fallback.acquire(clock.now());
    if (typeof permit === 'number') return this.refuse(exchange, DEFAULT_UPSTREAM_TARGET, permit);
    const attributes = exchange.context.attributes;
    const previous = attributes.get(UPSTREAM_GATE);
    const state = { used: false };
    attributes.set(UPSTREAM_GATE, this.gate(state));
    try {
      return await this.call(exchange, next, fallback, permit, state);
    } finally {
      if (previous === undefined) attributes.delete(UPSTREAM_GATE);
      else attributes.set(UPSTREAM_GATE, previous);
    }
  }

  private gate(state: { used: boolean }): UpstreamGate {
    return {
      admit: (target: string): GatePass | GateRefusal => {
        state.used = true;
        const circuit = this.circuit(target);
        const permit = circuit.acquire(this.setup.clock.now());
        if (typeof permit === 'number') return { admitted: false, retryAfterMs: permit };
        const failureCodes = this.failureCodes;
        const clock = this.setup.clock;
        return {
          admitted: true,
          complete(response: MessageView | undefined, durationMs: number, context: ExchangeContext, denialBefore: ExchangeContext['denial']) {
            circuit.record(permit, classifyOutcome(response, failureCodes, context, denialBefore), durationMs, clock.now());
          },
          release() {
            circuit.release(permit);
          },
        };
      },
    };
  }
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
