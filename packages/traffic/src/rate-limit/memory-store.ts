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
 * Units of room a remembered take must leave beyond the cost to skip a check: one spare unit keeps
 * the bucket algorithms (fractional micro-unit levels) clear of floating-point rounding at the edge.
 */
const CHECK_MARGIN = 1;

/**
 * The in-process store: one engine rate-limit table per limit (native, or the JS twin), in bounded
 * memory with idle keys evicted. Several limits are charged all-or-nothing by checking every table
 * and taking from all only when every check allowed: the engine calls are synchronous, so nothing
 * can run in between.
 *
 * A check is skipped when it is known to allow: each table remembers the key and the units left
 * of its last take, and room only grows with time in every algorithm (refill, leak, window roll,
 * eviction to a fresh state) until the next take, which replaces what is remembered. So a key
 * charged again with `cost + 1` or fewer units left at its last take is charged without a check
 * (a repeated key costs one engine call per limit instead of two). The tables must be charged
 * through this store only.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly tables: RateLimitTable[];
  /** Per table: the key of its last take (undefined: none remembered) and the units it left. */
  private readonly lastKeys: Array<string | undefined>;
  private readonly lastRemaining: Float64Array;
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
    this.lastKeys = this.tables.map(() => undefined);
    this.lastRemaining = new Float64Array(this.tables.length);
    if (options.pruneIntervalMs > 0) this.schedulePrune(options.pruneIntervalMs);
  }

  decide(charges: readonly Charge[], cost: number, nowMs: number): StoreDecision {
    if (charges.length === 1) {
      const only = charges[0] as Charge;
      const d = this.take(only, nowMs, cost);
      return { allowed: d.allowed, binding: 0, remaining: d.remaining, retryAfterMs: d.retryAfterMs };
    }
    if (!this.allAllow(charges, cost, nowMs)) {
      const checks: RateLimitDecision[] = [];
      for (const charge of charges) checks.push((this.tables[charge.index] as RateLimitTable).check(charge.key, nowMs, cost));
      return combineDecisions(checks);
    }
    const takes: RateLimitDecision[] = [];
    for (const charge of charges) takes.push(this.take(charge, nowMs, cost));
    return combineDecisions(takes);
  }

  /** Keys held per limit, in limit order. */
  sizes(): number[] {
    return this.tables.map((t) => t.size);
  }

  /** The engine tables, in limit order (statistics, tests; charge them only through this store). */
  get engineTables(): readonly RateLimitTable[] {
    return this.tables;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pruneTimer?.cancel();
    for (const table of this.tables) table.close();
  }

  /** Whether every charge's check allows `cost` (checks known to allow are not made). */
  private allAllow(charges: readonly Charge[], cost: number, nowMs: number): boolean {
    for (let i = 0; i < charges.length; i++) {
      const charge = charges[i] as Charge;
      const index = charge.index;
      if (this.lastKeys[index] === charge.key && (this.lastRemaining[index] as number) >= cost + CHECK_MARGIN) continue;
      if (!(this.tables[index] as RateLimitTable).check(charge.key, nowMs, cost).allowed) return false;
    }
    return true;
  }

  /** A take, remembered for {@link allAllow}. */
  private take(charge: Charge, nowMs: number, cost: number): RateLimitDecision {
    const index = charge.index;
    const d = (this.tables[index] as RateLimitTable).take(charge.key, nowMs, cost);
    this.lastKeys[index] = charge.key;
    this.lastRemaining[index] = d.remaining;
    return d;
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
