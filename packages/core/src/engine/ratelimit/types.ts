/**
 * Keyed rate-limit tables of the engine. Both engines implement them with identical semantics,
 * held to the same outputs by the conformance vectors (test/conformance/vectors/ratelimit*.json);
 * the rules are written down in ./README.md. In short:
 * - one algorithm per table; every call takes the clock (`nowMs`, milliseconds) and reads no clock;
 *   the clock is floored to whole ms and never goes back (a smaller value counts as no elapsed time);
 * - a key is identified by the 64-bit keyed hash of its UTF-8 bytes ({@link RateLimitEngine.hashRateLimitKey});
 * - `cost` is an integer in [0, 2^32-1] (default 1); a cost above the limit is always denied with
 *   `retryAfterMs: -1` (never);
 * - memory is bounded by `maxKeys` (least recently used key evicted) and `idleTimeoutMs`.
 * Misuse throws `EngineError`: `INVALID_ARGUMENT` for a bad option, key, clock or cost, `STATE`
 * after `close()`.
 */

/** The algorithms a table can run. */
export type RateLimitAlgorithm = 'token-bucket' | 'sliding-window' | 'fixed-window' | 'leaky-bucket';

/** A key: a string (identified by its UTF-8 bytes; lone surrogates count as U+FFFD) or raw bytes. */
export type RateLimitKey = string | Uint8Array;

/** Options every table takes. */
export interface RateLimitTableCommonOptions {
  /** The most keys the table holds, 1 to 2^28; a new key beyond it evicts the least recently used one. */
  readonly maxKeys: number;
  /**
   * Keys untouched for this many ms are evicted (lazily: up to 4 per `take`, all by `prune`). An
   * integer >= 0; 0 turns idle eviction off. Default: the time after which any key's state equals a
   * new key's (so eviction never changes a decision): the time to refill / drain a full bucket,
   * one window (fixed), two windows (sliding).
   */
  readonly idleTimeoutMs?: number;
  /**
   * The 8-byte key of the key hash (HalfSipHash-1-3). Default: random (from `crypto`), which keeps
   * clients from forging colliding keys. Give one to make hashes reproducible (tests, vectors).
   */
  readonly hashKey?: Uint8Array;
}

/**
 * Token bucket: holds up to `capacity` tokens, refilled continuously at `refillPerSecond`
 * (fractional refill: tokens are kept in micro-tokens); a request takes `cost` tokens. A new key
 * starts full.
 */
export interface TokenBucketOptions extends RateLimitTableCommonOptions {
  readonly algorithm: 'token-bucket';
  /** Integer, 1 to 2^32-1. */
  readonly capacity: number;
  /** Tokens added per second, 1e-9 to 1e12 (fractional allowed). */
  readonly refillPerSecond: number;
}

/**
 * Leaky bucket as a meter: a request adds `cost` to a level that drains at `leakPerSecond` and
 * must stay at or below `capacity`. A new key starts empty.
 */
export interface LeakyBucketOptions extends RateLimitTableCommonOptions {
  readonly algorithm: 'leaky-bucket';
  /** Integer, 1 to 2^32-1. */
  readonly capacity: number;
  /** Units drained per second, 1e-9 to 1e12 (fractional allowed). */
  readonly leakPerSecond: number;
}

/** Fixed window: at most `limit` per window; windows are aligned to multiples of `windowMs` from clock 0. */
export interface FixedWindowOptions extends RateLimitTableCommonOptions {
  readonly algorithm: 'fixed-window';
  /** Integer, 1 to 2^32-1. */
  readonly limit: number;
  /** Integer, 1 to 2^40, with `limit * windowMs <= 2^52`. */
  readonly windowMs: number;
}

/**
 * Sliding window counter: the previous aligned window's count weighted by the share of it still
 * inside the sliding window, plus the current window's count, must stay within `limit`
 * (computed exactly in integers: previous * (W - elapsed) + current * W <= limit * W).
 */
export interface SlidingWindowOptions extends RateLimitTableCommonOptions {
  readonly algorithm: 'sliding-window';
  /** Integer, 1 to 2^32-1. */
  readonly limit: number;
  /** Integer, 1 to 2^40, with `limit * windowMs <= 2^52`. */
  readonly windowMs: number;
}

/** Options of {@link RateLimitEngine.createRateLimitTable}. */
export type RateLimitTableOptions = TokenBucketOptions | LeakyBucketOptions | FixedWindowOptions | SlidingWindowOptions;

/** The outcome of one decision. */
export interface RateLimitDecision {
  /** True when the request fits (and, for `take`, was charged). */
  readonly allowed: boolean;
  /** Whole units left after this decision (after the charge when allowed). */
  readonly remaining: number;
  /**
   * 0 when allowed; else the integer ms (rounded up, >= 1) after which the same request would be
   * allowed if nothing else is charged meanwhile; -1 when it never can (cost above the limit).
   */
  readonly retryAfterMs: number;
}

/** Counters of a table since it was created. */
export interface RateLimitStats {
  /** Keys held now (idle ones included until they are evicted). */
  readonly keys: number;
  /** Keys evicted because the table was full (least recently used first). */
  readonly evictions: number;
  /** Keys evicted because they were idle. */
  readonly expired: number;
  /** `take` calls allowed. */
  readonly allowed: number;
  /** `take` calls denied. */
  readonly denied: number;
  /** Bytes the table itself allocated (entries, index, bookkeeping); engine-specific. */
  readonly memoryBytes: number;
}

/**
 * A table of rate-limit states keyed by string or bytes. To charge several tables all-or-nothing,
 * `check` each, and `take` on all only when every check allowed (JS is single-threaded, so nothing
 * runs between the checks and the takes).
 */
export interface RateLimitTable extends Disposable {
  /** The algorithm the table runs. */
  readonly algorithm: RateLimitAlgorithm;
  /** The most keys the table holds. */
  readonly maxKeys: number;
  /** The effective idle timeout in ms (0: off). */
  readonly idleTimeoutMs: number;
  /** Keys held now. */
  readonly size: number;
  /** True once {@link close} was called. */
  readonly closed: boolean;
  /** Decides at `nowMs` and charges `cost` (default 1) when allowed; creates the key (it becomes the most recently used). */
  take(key: RateLimitKey, nowMs: number, cost?: number): RateLimitDecision;
  /** The decision `take` would make now, changing nothing (no key created, no recency, no clock, no stats). */
  check(key: RateLimitKey, nowMs: number, cost?: number): RateLimitDecision;
  /**
   * Gives `cost` (default 1) back to a key charged earlier: tokens back (capped at capacity), level
   * down, or the current window's count down (never below 0). No-op for an absent or idle key.
   */
  refund(key: RateLimitKey, nowMs: number, cost?: number): void;
  /** Forgets one key; true when it was present. */
  reset(key: RateLimitKey): boolean;
  /** Advances the clock to `nowMs` and evicts every idle key; returns how many. */
  prune(nowMs: number): number;
  /** Forgets every key and releases their memory (statistics and the clock are kept). */
  clear(): void;
  /** The table's counters. */
  stats(): RateLimitStats;
  /** Frees the table. Idempotent; any later call throws `EngineError(STATE)`. */
  close(): void;
}

/** The ratelimit primitives of the engine. */
export interface RateLimitEngine {
  /** Creates a bounded table of per-key rate-limit states running one algorithm. */
  createRateLimitTable(options: RateLimitTableOptions): RateLimitTable;
  /**
   * The 64-bit identity a table with hash key `hashKey` (8 bytes) gives `key`: HalfSipHash-1-3
   * with a 64-bit output of the key's UTF-8 bytes (for diagnostics and the conformance vectors).
   */
  hashRateLimitKey(key: RateLimitKey, hashKey: Uint8Array): bigint;
}
