/**
 * Metrics primitives of the engine: log-linear histograms (HdrHistogram-like, over doubles) with
 * optional exact Prometheus `le` bounds, and counter sets. Both engines implement them with
 * identical semantics, held to the same outputs by the conformance vectors
 * (test/conformance/vectors/metrics*.json); the rules are written down in ./README.md.
 * Misuse throws `EngineError`: `INVALID_ARGUMENT` for a bad option, value, index or quantile,
 * `STATE` after `close()`.
 */

/** Options of {@link MetricsEngine.createHistogram}. */
export interface HistogramOptions {
  /**
   * Relative precision, 1 to 5 (default 2): 2^p buckets per power of two with
   * p = ceil(digits * log2(10)) = 4, 7, 10, 14, 17, so a quantile is within 10^-digits / 2 (relative)
   * of a value recorded in its bucket.
   */
  readonly significantDigits?: number;
  /** Values below 2^floor(log2(lowest)) share one bucket (default 1e-6); 2^-1000 to `highest`. */
  readonly lowest?: number;
  /** Values from 2^(floor(log2(highest)) + 1) up share one bucket (default 1e6); up to 2^1000. */
  readonly highest?: number;
  /**
   * Explicit upper bounds (Prometheus `le`), finite and strictly increasing, at most 1024: each is
   * counted exactly ({@link Histogram.boundCounts}). Default: none.
   */
  readonly bounds?: readonly number[];
}

/** One non-empty log-linear bucket: values in [lower, upper). */
export interface HistogramBucket {
  readonly lower: number;
  /** `Infinity` for the last bucket. */
  readonly upper: number;
  readonly count: number;
}

/** Everything a histogram holds, at one moment. */
export interface HistogramSnapshot {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** The non-empty log-linear buckets in increasing order. */
  readonly buckets: readonly HistogramBucket[];
  /** The explicit bounds. */
  readonly bounds: readonly number[];
  /** Cumulative counts at the explicit bounds (observations <= bound); the `+Inf` count is `count`. */
  readonly boundCounts: readonly number[];
}

/**
 * A histogram of finite values >= 0 (-0 counts as 0). Count, sum (added in record order), min and
 * max are exact (0 while empty); quantiles come from the log-linear buckets.
 */
export interface Histogram extends Disposable {
  readonly significantDigits: number;
  readonly lowest: number;
  readonly highest: number;
  readonly bounds: readonly number[];
  /** True once {@link close} was called. */
  readonly closed: boolean;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Records one value. */
  record(value: number): void;
  /**
   * Records the first `count` values of `values` (default: all) in order, in one native call on
   * the native engine; when one is invalid, none is recorded.
   */
  recordMany(values: Float64Array, count?: number): void;
  /**
   * The value at quantile q in [0, 1]: the midpoint of the bucket holding the max(1, ceil(q * count))-th
   * smallest value, clamped to [min, max]; q = 0 gives min and q = 1 max exactly; 0 while empty.
   */
  quantile(q: number): number;
  /** Cumulative counts at the explicit bounds, exact (one per bound). */
  boundCounts(): number[];
  /** Adds the observations of `other`, a histogram of the same engine with the same options. */
  merge(other: Histogram): void;
  /** Forgets every observation. */
  reset(): void;
  snapshot(): HistogramSnapshot;
  /** Frees the histogram. Idempotent; any later call throws `EngineError(STATE)`. */
  close(): void;
}

/** A fixed number of counters addressed by index (doubles: exact for integer sums up to 2^53). */
export interface CounterSet extends Disposable {
  /** Number of counters. */
  readonly size: number;
  /** True once {@link close} was called. */
  readonly closed: boolean;
  /** Adds `amount` (finite, >= 0; default 1) to counter `index`. */
  add(index: number, amount?: number): void;
  /** The value of counter `index`. */
  get(index: number): number;
  /** Every counter's value. */
  snapshot(): number[];
  /** Sets every counter to 0. */
  reset(): void;
  /** Frees the set. Idempotent; any later call throws `EngineError(STATE)`. */
  close(): void;
}

/** The metrics primitives of the engine. */
export interface MetricsEngine {
  /** Creates a histogram (log-linear buckets, optional exact explicit bounds). */
  createHistogram(options?: HistogramOptions): Histogram;
  /** Creates `size` counters (1 to 2^20) at 0. */
  createCounterSet(size: number): CounterSet;
}
