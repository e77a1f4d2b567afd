import type { ClockTimer, Clock, Engine } from '@gopher-mcp/core';

import { combineDecisions, type Charge, type RateLimitStore, type StoreDecision, type StoreLimit } from './store.js';

/** An engine rate-limit table (the engine's `RateLimitTable`). */
type RateLimitTable = ReturnType<Engine['createRateLimitTable']>;
/** Options of an engine table. */
type RateLimitTableOptions = Parameters<Engine['createRateLimitTable']>[0];
/** One decision of an engine table. */
type RateLimitDecision = ReturnType<RateLimitTable['take']>;

/** Options of the in-process store. */
export interface MemoryStoreOptions {
  /** Most keys per limit. */
  readonly maxKeys: number;
  /** Idle keys are evicted after this long (default: the algorithm's lossless idle time). */
  readonly idleTimeoutMs?: number;
  /** How often idle keys are swept on `clock` (0: only lazily). */
  readonly pruneIntervalMs: number;
  /** Every limit (and capacity) is divided by this, floored, at least 1 (the insurance share). Default 1. */
  readonly divisor?: number;
}

/** The engine table options of a limit. */
export function tableOptions(limit: StoreLimit, maxKeys: number, idleTimeoutMs: number | undefined, divisor = 1): RateLimitTableOptions {
  const share = (n: number): number => Math.max(1, Math.floor(n / divisor));
  const common = { maxKeys, ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }) };
  const perSecond = (share(limit.limit) * 1000) / limit.windowMs;
  switch (limit.algorithm) {
    case 'token_bucket':
      return { algorithm: 'token-bucket', capacity: share(limit.capacity), refillPerSecond: perSecond, ...common };
    case 'leaky_bucket':
      return { algorithm: 'leaky-bucket', capacity: share(limit.capacity), leakPerSecond: perSecond, ...common };
    case 'fixed_window':
      return { algorithm: 'fixed-window', limit: share(limit.limit), windowMs: limit.windowMs, ...common };
    case 'sliding_window':
      return { algorithm: 'sliding-window', limit: share(limit.limit), windowMs: limit.windowMs, ...common };
  }
}

/**
 * The in-process store: one engine rate-limit table per limit (native, or the JS twin), in bounded
 * memory with idle keys evicted. Several limits are charged all-or-nothing by checking every table
 * and taking from all only when every check allowed: the engine calls are synchronous, so nothing
 * can run in between.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly tables: RateLimitTable[];
  private pruneTimer: ClockTimer | undefined;
  private closed = false;

  constructor(
    engine: Engine,
    limits: readonly StoreLimit[],
    options: MemoryStoreOptions,
    private readonly clock: Clock,
  ) {
    this.tables = [];
    try {
      for (const limit of limits) {
        this.tables.push(engine.createRateLimitTable(tableOptions(limit, options.maxKeys, options.idleTimeoutMs, options.divisor)));
      }
    } catch (error) {
      for (const table of this.tables) table.close();
      throw error;
    }
    if (options.pruneIntervalMs > 0) this.schedulePrune(options.pruneIntervalMs);
  }

  decide(charges: readonly Charge[], cost: number, nowMs: number): StoreDecision {
    if (charges.length === 1) {
      const only = charges[0] as Charge;
      const d = (this.tables[only.index] as RateLimitTable).take(only.key, nowMs, cost);
      return { allowed: d.allowed, binding: 0, remaining: d.remaining, retryAfterMs: d.retryAfterMs };
    }
    const checks: RateLimitDecision[] = [];
    let allAllowed = true;
    for (const charge of charges) {
      const d = (this.tables[charge.index] as RateLimitTable).check(charge.key, nowMs, cost);
      if (!d.allowed) allAllowed = false;
      checks.push(d);
    }
    if (!allAllowed) return combineDecisions(checks);
    const takes: RateLimitDecision[] = [];
    for (const charge of charges) takes.push((this.tables[charge.index] as RateLimitTable).take(charge.key, nowMs, cost));
    return combineDecisions(takes);
  }

  /** Keys held per limit, in limit order. */
  sizes(): number[] {
    return this.tables.map((t) => t.size);
  }

  /** The engine tables, in limit order (statistics, tests). */
  get engineTables(): readonly RateLimitTable[] {
    return this.tables;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pruneTimer?.cancel();
    for (const table of this.tables) table.close();
  }

  private schedulePrune(intervalMs: number): void {
    this.pruneTimer = this.clock.setTimer(intervalMs, () => {
      if (this.closed) return;
      const now = this.clock.now();
      for (const table of this.tables) table.prune(now);
      this.schedulePrune(intervalMs);
    });
  }
}
