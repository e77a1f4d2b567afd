import {
  attributeKey,
  ConfigError,
  ErrorCode,
  exchangeKey,
  headerValue,
  loadBalancerOptionsSchema,
  parseWithSchema,
  type Exchange,
  type Filter,
  type FilterDefinition,
  type FilterSetup,
  type LoadBalancerConfig,
  type LoadBalancerConfigInput,
  type MessageView,
  type Next,
  LruMap,
} from '@gopher-mcp/core';

import { UPSTREAM_GATE, UPSTREAM_TARGET, type GatePass } from '../shared/attributes.js';
import { classifyOutcome } from '../shared/outcome.js';
import type { RandomSource } from '../shared/random.js';
import { HealthChecker, type PingFunction } from './health-checker.js';
import { OutlierDetector } from './outlier-detector.js';
import { createStrategy, type Strategy } from './strategies.js';
import { TargetState, type TargetSnapshot } from './target-state.js';

/** A custom hash key function of `consistent_hash`: the key of an exchange, or undefined for none. */
export type HashKeyFunction = (exchange: Exchange) => string | undefined;

/** What the `load_balancer` factory takes besides its config. */
export interface LoadBalancerRuntimeOptions {
  /** The health-check ping (needed when `healthCheck` is set); see `upstreamPinger`. */
  readonly ping?: PingFunction;
  /** Uniform random numbers in [0, 1) for `p2c_ewma` (default `Math.random`). */
  readonly random?: RandomSource;
  /** Functions the `{ custom: name }` hash key names. */
  readonly keyFunctions?: Readonly<Record<string, HashKeyFunction>>;
}

/** Options of {@link loadBalancer}: the config (see `loadBalancerOptionsSchema`) plus the runtime options. */
export type LoadBalancerOptions = LoadBalancerConfigInput & LoadBalancerRuntimeOptions;

/** The targets an exchange already went to (a retry avoids them when it can): one id, or a set once there are several. */
const TRIED_TARGETS = attributeKey<string | Set<string>>('gopher.load_balancer.tried');

const isAvailable = (target: TargetState): boolean => target.available;

function wasTried(tried: string | ReadonlySet<string>, id: string): boolean {
  return typeof tried === 'string' ? tried === id : tried.has(id);
}

const NOTIFICATION_CANCELLED = 'notifications/cancelled';

/**
 * The load_balancer filter: chooses the upstream target of each exchange and publishes it as the
 * `UPSTREAM_TARGET` attribute for the terminal (see `upstreamDispatcher`). A session stays on its
 * target while that target is available; unhealthy (active checks) and ejected (passive outlier
 * detection) targets are skipped, as are targets whose circuit is open when a `circuit_breaker`
 * keyed on `upstream` sits outside it. With no target available: 503 with `data.retryAfterMs`.
 * A retry (a second call of the chain below an outer filter) avoids the targets already tried
 * when another is available. `notifications/cancelled` goes to the target of the request it
 * cancels; other notifications follow the session.
 */
export class LoadBalancerFilter implements Filter {
  readonly type = 'load_balancer';
  private readonly targets: readonly TargetState[];
  private readonly byId: ReadonlyMap<string, TargetState>;
  private readonly strategy: Strategy;
  private readonly sessions: LruMap<string, TargetState>;
  private readonly inFlight = new Map<string, TargetState>();
  private readonly failureCodes: ReadonlySet<number>;
  private readonly outliers: OutlierDetector | undefined;
  private readonly health: HealthChecker | undefined;
  private readonly hashKeyOf: (exchange: Exchange) => string | undefined;

  constructor(
    private readonly config: LoadBalancerConfig,
    runtime: LoadBalancerRuntimeOptions,
    hashKeyFunction: HashKeyFunction | undefined,
    private readonly setup: FilterSetup,
  ) {
    this.targets = config.targets.map((t, index) => new TargetState(t, index));
    this.byId = new Map(this.targets.map((t) => [t.id, t]));
    this.strategy = createStrategy(config, this.targets, runtime.random ?? Math.random);
    this.sessions = new LruMap(config.maxSessions);
    this.failureCodes = new Set(config.failureCodes);
    this.hashKeyOf = hashKeyReader(config, hashKeyFunction);
    if (config.outlierDetection !== undefined) {
      this.outliers = new OutlierDetector(
        this.targets,
        config.outlierDetection,
        (target, durationMs) => {
          setup.logger.warn({ filter: setup.name, target: target.id, durationMs }, 'gopher-mcp: upstream target ejected');
          setup.emit('upstream_ejected', { target: target.id, durationMs, ejections: target.ejections });
        },
        (target) => {
          setup.logger.info({ filter: setup.name, target: target.id }, 'gopher-mcp: upstream target returned');
          setup.emit('upstream_returned', { target: target.id });
        },
      );
    }
    if (config.healthCheck !== undefined && runtime.ping !== undefined) {
      this.health = new HealthChecker(this.targets, config.healthCheck, runtime.ping, setup.clock, (target, healthy) => {
        setup.logger.warn({ filter: setup.name, target: target.id, healthy }, 'gopher-mcp: upstream target health changed');
        setup.emit('upstream_health', { target: target.id, healthy });
      });
      this.health.start();
    }
  }

  handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> | MessageView | undefined {
    const kind = exchange.message.kind;
    if (kind !== 'request' && kind !== 'notification') return next();
    this.outliers?.refresh(this.setup.clock.now());
    return kind === 'request' ? this.routeRequest(exchange, next) : this.routeNotification(exchange, next);
  }

  /** Every target as read now. */
  snapshot(): TargetSnapshot[] {
    this.outliers?.refresh(this.setup.clock.now());
    return this.targets.map((t) => t.snapshot());
  }

  /** Stops the health checks. */
  close(): void {
    this.health?.close();
    this.sessions.clear();
    this.inFlight.clear();
  }

  private async routeRequest(exchange: Exchange, next: Next): Promise<MessageView | undefined> {
    const { context, message } = exchange;
    const gate = context.attributes.get(UPSTREAM_GATE);
    const sessionId = this.config.stickySessions ? context.session.id : undefined;
    const tried = context.attributes.get(TRIED_TARGETS);
    let refused: Set<TargetState> | undefined;
    let refusedWait = Number.POSITIVE_INFINITY;
    let target: TargetState | undefined;
    let pass: GatePass | undefined;
    const bound = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    for (;;) {
      target = bound !== undefined && bound.available && refused?.has(bound) !== true ? bound : this.choose(exchange, refused, tried);
      if (target === undefined) return this.refuse(exchange, refusedWait, refused !== undefined);
      if (gate === undefined) break;
      const admission = gate.admit(target.id);
      if (admission.admitted) {
        pass = admission;
        break;
      }
      (refused ??= new Set()).add(target);
      refusedWait = Math.min(refusedWait, admission.retryAfterMs);
    }
    if (sessionId !== undefined && bound !== target) this.sessions.set(sessionId, target);
    if (tried === undefined) context.attributes.set(TRIED_TARGETS, target.id);
    else if (typeof tried === 'string') context.attributes.set(TRIED_TARGETS, new Set([tried, target.id]));
    else tried.add(target.id);
    context.attributes.set(UPSTREAM_TARGET, target.id);
    const key = message.id === undefined || message.id === null ? undefined : exchangeKey(context.session.id, message.id);
    if (key !== undefined) this.inFlight.set(key, target);
    const clock = this.setup.clock;
    const denialBefore = context.denial;
    const started = clock.now();
    target.outstanding++;
    let response: MessageView | undefined;
    try {
      response = await next();
    } catch (error) {
      this.finish(target, key, started, 'failure');
      pass?.complete(undefined, clock.now() - started, context, denialBefore);
      throw error;
    }
    const outcome = classifyOutcome(response, this.failureCodes, context, denialBefore);
    this.finish(target, key, started, outcome);
    pass?.complete(response, clock.now() - started, context, denialBefore);
    return response;
  }

  private finish(target: TargetState, key: string | undefined, started: number, outcome: ReturnType<typeof classifyOutcome>): void {
    const now = this.setup.clock.now();
    target.outstanding--;
    if (key !== undefined && this.inFlight.get(key) === target) this.inFlight.delete(key);
    if (outcome === 'ignored') return;
    target.observeLatency(now - started, now, this.config.ewmaDecayMs);
    this.outliers?.record(target, outcome, now);
  }

  /** A target for a new binding: by strategy among available targets, avoiding refused ones and (when possible) tried ones. */
  private choose(exchange: Exchange, refused: ReadonlySet<TargetState> | undefined, tried: string | ReadonlySet<string> | undefined): TargetState | undefined {
    const key = this.hashKeyOf(exchange);
    if (tried !== undefined) {
      const fresh = this.strategy.pick((t) => t.available && refused?.has(t) !== true && !wasTried(tried, t.id), key);
      if (fresh !== undefined) return fresh;
    }
    return this.strategy.pick(refused === undefined ? isAvailable : (t) => t.available && !refused.has(t), key);
  }

  private refuse(exchange: Exchange, refusedWait: number, circuitOpen: boolean): MessageView {
    const now = this.setup.clock.now();
    let wait = refusedWait;
    for (const target of this.targets) {
      if (target.ejectedUntil !== 0) wait = Math.min(wait, target.ejectedUntil - now);
      else if (!target.healthy && this.config.healthCheck !== undefined) wait = Math.min(wait, this.config.healthCheck.intervalMs);
    }
    const retryAfterMs = Number.isFinite(wait) ? Math.max(1, Math.ceil(wait)) : 1000;
    return exchange.deny(ErrorCode.UNAVAILABLE, 'no healthy upstream', {
      retryAfterMs,
      reason: circuitOpen ? 'circuit_open' : 'no_healthy_upstream',
    });
  }

  private routeNotification(exchange: Exchange, next: Next): Promise<MessageView | undefined> {
    const { context, message } = exchange;
    let target: TargetState | undefined;
    if (message.method === NOTIFICATION_CANCELLED) {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') target = this.inFlight.get(exchangeKey(context.session.id, requestId));
    }
    const sessionId = this.config.stickySessions ? context.session.id : undefined;
    if (target === undefined && sessionId !== undefined) {
      const bound = this.sessions.get(sessionId);
      if (bound !== undefined && bound.available) target = bound;
    }
    if (target === undefined) {
      target = this.strategy.pick(isAvailable, this.hashKeyOf(exchange));
      if (target !== undefined && sessionId !== undefined) this.sessions.set(sessionId, target);
    }
    if (target === undefined) {
      return Promise.resolve(this.refuse(exchange, Number.POSITIVE_INFINITY, false));
    }
    context.attributes.set(UPSTREAM_TARGET, target.id);
    return next();
  }
}

function hashKeyReader(config: LoadBalancerConfig, custom: HashKeyFunction | undefined): (exchange: Exchange) => string | undefined {
  if (config.strategy !== 'consistent_hash') return () => undefined;
  const key = config.hashKey;
  if (key === 'session') return (e) => e.context.session.id;
  if (key === 'subject') return (e) => e.context.principal?.subject;
  if ('header' in key) {
    const name = key.header.toLowerCase();
    return (e) => headerValue(e.context.peer.headers, name);
  }
  return custom as HashKeyFunction;
}

/** Makes the filter definition from validated config and the runtime options. */
export function defineLoadBalancer(config: LoadBalancerConfig, runtime: LoadBalancerRuntimeOptions = {}): FilterDefinition {
  let hashKeyFunction: HashKeyFunction | undefined;
  const hashKey = config.hashKey;
  if (config.strategy === 'consistent_hash' && typeof hashKey === 'object' && 'custom' in hashKey) {
    hashKeyFunction = runtime.keyFunctions?.[hashKey.custom];
    if (hashKeyFunction === undefined) {
      throw new ConfigError(`invalid load_balancer options: hashKey: no key function named "${hashKey.custom}" (pass it in keyFunctions)`, [
        { path: 'hashKey', message: `unknown key function "${hashKey.custom}"` },
      ]);
    }
  }
  if (config.healthCheck !== undefined && runtime.ping === undefined) {
    throw new ConfigError('invalid load_balancer options: healthCheck: active health checks need a ping function (the ping option, e.g. upstreamPinger(upstreams))', [
      { path: 'healthCheck', message: 'needs the ping option' },
    ]);
  }
  return {
    type: 'load_balancer',
    ...(config.name === undefined ? {} : { name: config.name }),
    create: (setup: FilterSetup) => new LoadBalancerFilter(config, runtime, hashKeyFunction, setup),
  };
}

/** The load_balancer filter factory: validates `options` and returns the filter definition. */
export function loadBalancer(options: LoadBalancerOptions): FilterDefinition {
  const { ping, random, keyFunctions, ...config } = options;
  const parsed = parseWithSchema(loadBalancerOptionsSchema, config, 'load_balancer options');
  return defineLoadBalancer(parsed, {
    ...(ping === undefined ? {} : { ping }),
    ...(random === undefined ? {} : { random }),
    ...(keyFunctions === undefined ? {} : { keyFunctions }),
  });
}
