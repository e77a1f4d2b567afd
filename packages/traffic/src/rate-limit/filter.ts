import {
  ConfigError,
  ErrorCode,
  matchAnyGlob,
  parseWithSchema,
  rateLimitOptionsSchema,
  type Clock,
  type Exchange,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type PhasedExchange,
  type PhasedFilter,
  type RateLimitConfig,
  type RateLimitConfigInput,
  type RequestVerdict,
} from '@gopher-mcp/core';

import { arrivalTime } from '../shared/arrival.js';
import { RATE_LIMIT_RESULT } from '../shared/attributes.js';
import { compileCost, type CostFunction } from './cost.js';
import { compileKey, keyIncludesTool, type KeyFunction, type KeyReader } from './keys.js';
import { MemoryRateLimitStore } from './memory-store.js';
import { RedisRateLimitStore, type RedisClientLike } from './redis-store.js';
import type { Charge, RateLimitStore, StoreDecision, StoreLimit } from './store.js';

/** What the `rate_limit` factory takes besides its config: functions and clients a config file cannot hold. */
export interface RateLimitRuntimeOptions {
  /** Functions the `{ custom: name }` key parts name. */
  readonly keyFunctions?: Readonly<Record<string, KeyFunction>>;
  /** The cost of a request (an integer >= 0), or undefined for the configured `toolCosts` (default 1). */
  readonly cost?: CostFunction;
  /** The ioredis client of the Redis store (instead of `store.url`); the application keeps ownership. */
  readonly redis?: RedisClientLike;
  /** Use this clock instead of the Redis server's time (tests only). */
  readonly redisClockForTesting?: Clock;
}

/** Options of {@link rateLimit}: the `rate_limit` config (see `rateLimitOptionsSchema`) plus the runtime options. */
export type RateLimitOptions = RateLimitConfigInput & RateLimitRuntimeOptions;

/** Counters of one rate_limit filter. */
export interface RateLimitFilterStats {
  /** Requests and notifications that were charged and allowed. */
  readonly allowed: number;
  /** Refused with 429, in all. */
  readonly denied: number;
  /** Refusals by the limit that decided them. */
  readonly deniedByLimit: Readonly<Record<string, number>>;
  /** Decisions made while the Redis store was unreachable. */
  readonly storeUnavailable: number;
  /** Of those, allowed by the fail-open mode (within the insurance limit). */
  readonly failedOpen: number;
  /** Of those, refused by the fail-closed mode or the insurance limit. */
  readonly failedClosed: number;
  /** Keys held per limit by the in-process store (absent for the Redis store). */
  readonly keys?: Readonly<Record<string, number>>;
}

interface CompiledLimit extends StoreLimit {
  readonly key: KeyReader;
  readonly methods: readonly string[] | undefined;
}

const METHOD_CACHE_LIMIT = 1024;

/**
 * The rate_limit filter: charges each request (and notification) to every limit that applies, all
 * together or not at all, and refuses with 429 (`data.limit`, `data.retryAfterMs`) when one of
 * them has no room. Refused notifications are dropped (and counted by the chain).
 */
export class RateLimitFilter implements PhasedFilter {
  readonly type = 'rate_limit';
  private readonly exempt: readonly string[];
  private readonly costOf: (exchange: Exchange) => number;
  private readonly store: RateLimitStore;
  private insurance: MemoryRateLimitStore | undefined;
  private readonly methodCache = new Map<string, readonly number[]>();
  private counters = { allowed: 0, denied: 0, storeUnavailable: 0, failedOpen: 0, failedClosed: 0 };
  private readonly deniedByLimit: Record<string, number> = {};

  constructor(
    private readonly config: RateLimitConfig,
    private readonly limits: readonly CompiledLimit[],
    runtime: RateLimitRuntimeOptions,
    private readonly setup: FilterSetup,
  ) {
    this.exempt = config.exemptMethods;
    this.costOf = compileCost(config.toolCosts, runtime.cost);
    const store = config.store;
    if (store.type === 'memory') {
      this.store = new MemoryRateLimitStore(setup.engine, limits, store, setup.clock);
    } else {
      this.store = new RedisRateLimitStore(limits, {
        ...(runtime.redis === undefined ? {} : { client: runtime.redis }),
        ...(store.url === undefined ? {} : { url: store.url }),
        keyPrefix: store.keyPrefix,
        hashKeys: store.hashKeys,
        timeoutMs: store.timeoutMs,
        recheckMs: store.recheckMs,
        ...(runtime.redisClockForTesting === undefined ? {} : { clockForTesting: runtime.redisClockForTesting }),
        onAvailability: (available, reason) => {
          if (available) setup.logger.info({ filter: setup.name }, 'gopher-mcp: rate-limit Redis store reachable again');
          else setup.logger.warn({ filter: setup.name, reason, failMode: store.failMode }, 'gopher-mcp: rate-limit Redis store unreachable');
          setup.emit('rate_limit_store', { store: 'redis', available, ...(reason === undefined ? {} : { reason }) });
        },
        onClientError: (error) => setup.logger.debug({ filter: setup.name, err: error.message }, 'gopher-mcp: rate-limit Redis client error'),
      });
    }
  }

  /** The request phase (the filter has no response phase): charges the limits, or refuses with 429. */
  onRequest(exchange: PhasedExchange): RequestVerdict | Promise<RequestVerdict> {
    const message = exchange.message;
    if (message.kind !== 'request' && message.kind !== 'notification') return undefined;
    const applicable = this.applicableLimits(message.method ?? '');
    if (applicable.length === 0) return undefined;
    const charges: Charge[] = [];
    for (let i = 0; i < applicable.length; i++) {
      const index = applicable[i] as number;
      const key = (this.limits[index] as CompiledLimit).key(exchange);
      if (key !== undefined) charges.push({ index, key });
    }
    if (charges.length === 0) return undefined;
    const cost = this.costOf(exchange);
    if (cost === 0) return undefined;
    // Charged at arrival (the tables never go back in time, so a later arrival decided first is fine).
    const decision = this.store.decide(charges, cost, arrivalTime(exchange.context, this.setup.clock));
    if (decision instanceof Promise) {
      return decision.then((d) => (d === undefined ? this.unavailable(exchange, charges, cost) : this.apply(exchange, charges, d, false)));
    }
    return this.apply(exchange, charges, decision, false);
  }

  /** The filter's counters. */
  stats(): RateLimitFilterStats {
    const stats = { ...this.counters, deniedByLimit: { ...this.deniedByLimit } };
    if (!(this.store instanceof MemoryRateLimitStore)) return stats;
    const sizes = this.store.sizes();
    return { ...stats, keys: Object.fromEntries(this.limits.map((limit, i) => [limit.name, sizes[i] as number])) };
  }

  async close(): Promise<void> {
    this.insurance?.close();
    await this.store.close();
  }

  /** Passes an allowed exchange on (undefined) with its {@link RATE_LIMIT_RESULT}, or answers the refusal. */
  private apply(exchange: Exchange, charges: readonly Charge[], decision: StoreDecision, insurance: boolean): MessageView | undefined {
    const limit = this.limits[(charges[decision.binding] as Charge).index] as CompiledLimit;
    if (decision.allowed) {
      this.counters.allowed++;
      if (insurance) this.counters.failedOpen++;
      exchange.context.attributes.set(RATE_LIMIT_RESULT, { limit: limit.name, remaining: decision.remaining });
      return undefined;
    }
    this.counters.denied++;
    if (insurance) this.counters.failedClosed++;
    this.deniedByLimit[limit.name] = (this.deniedByLimit[limit.name] ?? 0) + 1;
    const extra = insurance ? { insurance: true } : {};
    if (decision.retryAfterMs < 0) {
      return exchange.deny(ErrorCode.RATE_LIMITED, `request cost exceeds rate limit "${limit.name}"`, {
        limit: limit.name,
        reason: 'cost_exceeds_limit',
        ...extra,
      });
    }
    return exchange.deny(ErrorCode.RATE_LIMITED, `rate limit "${limit.name}" exceeded`, {
      limit: limit.name,
      retryAfterMs: decision.retryAfterMs,
      ...extra,
    });
  }

  /** The Redis store could not decide: fail closed, or open within the insurance limit. */
  private unavailable(exchange: Exchange, charges: readonly Charge[], cost: number): MessageView | undefined {
    this.counters.storeUnavailable++;
    const store = this.config.store;
    if (store.type !== 'redis') return undefined;
    if (store.failMode === 'closed') {
      this.counters.failedClosed++;
      return exchange.deny(ErrorCode.UNAVAILABLE, 'rate limit store unavailable', { retryAfterMs: store.recheckMs, reason: 'store_unavailable' });
    }
    if (!store.insurance.enabled) {
      this.counters.failedOpen++;
      return undefined;
    }
    this.insurance ??= new MemoryRateLimitStore(
      this.setup.engine,
      this.limits,
      { maxKeys: 100_000, pruneIntervalMs: 60_000, divisor: store.insurance.divisor },
      this.setup.clock,
    );
    return this.apply(exchange, charges, this.insurance.decide(charges, cost, this.setup.clock.now()), true);
  }

  private applicableLimits(method: string): readonly number[] {
    let cached = this.methodCache.get(method);
    if (cached === undefined) {
      if (matchAnyGlob(this.exempt, method)) {
        cached = [];
      } else {
        const indexes: number[] = [];
        this.limits.forEach((limit, index) => {
          if (limit.methods === undefined || matchAnyGlob(limit.methods, method)) indexes.push(index);
        });
        cached = indexes;
      }
      if (this.methodCache.size >= METHOD_CACHE_LIMIT) this.methodCache.clear();
      this.methodCache.set(method, cached);
    }
    return cached;
  }
}

/** Makes the filter definition from validated config and the runtime options. */
export function defineRateLimit(config: RateLimitConfig, runtime: RateLimitRuntimeOptions = {}): FilterDefinition {
  const keyFunctions = runtime.keyFunctions ?? {};
  const limits: CompiledLimit[] = config.limits.map((rule, index) => ({
    name: rule.name,
    algorithm: rule.algorithm,
    limit: rule.limit,
    windowMs: rule.windowMs,
    capacity: rule.algorithm.endsWith('bucket') ? (rule.burst ?? rule.limit) : rule.limit,
    key: compileKey(rule.key, rule.missingKey, keyFunctions, `limits.${index}.key`),
    methods: rule.methods ?? (keyIncludesTool(rule.key) ? ['tools/call'] : undefined),
  }));
  if (config.store.type === 'redis' && config.store.url === undefined && runtime.redis === undefined) {
    throw new ConfigError('invalid rate_limit options: store.url: the Redis store needs store.url or the redis option (an ioredis client)', [
      { path: 'store.url', message: 'the Redis store needs store.url or the redis option' },
    ]);
  }
  return {
    type: 'rate_limit',
    ...(config.name === undefined ? {} : { name: config.name }),
    create: (setup) => new RateLimitFilter(config, limits, runtime, setup),
  };
}

/**
 * The rate_limit filter factory: validates `options` (throwing a ConfigError naming the path) and
 * returns the filter definition a chain creates with its engine, clock, logger and event sink.
 */
export function rateLimit(options: RateLimitOptions): FilterDefinition {
  const { keyFunctions, cost, redis, redisClockForTesting, ...config } = options;
  const parsed = parseWithSchema(rateLimitOptionsSchema, config, 'rate_limit options');
  return defineRateLimit(parsed, {
    ...(keyFunctions === undefined ? {} : { keyFunctions }),
    ...(cost === undefined ? {} : { cost }),
    ...(redis === undefined ? {} : { redis }),
    ...(redisClockForTesting === undefined ? {} : { redisClockForTesting }),
  });
}
