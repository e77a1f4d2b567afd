import { checkQuantile, closedError, invalidArgument, recordManyCount } from './errors.js';
import { type HistogramLayout, isValidValue } from './layout.js';
import type { MetricsBindings } from './native-bindings.js';
import type { Histogram, HistogramBucket, HistogramSnapshot } from './types.js';

/** Values staged in JS before one gmcp_histogram_record_many call. */
const STAGE_SIZE = 512;

/**
 * A {@link Histogram} owning a native `gmcp_histogram`. A koffi call costs more than recording a
 * value, so `record` validates the value (the same check as the library) and stages it in a
 * Float64Array; the stage is handed to `gmcp_histogram_record_many` when full and before any read,
 * merge or reset, so observations keep their order and every read sees all of them.
 */
export class NativeHistogram implements Histogram {
  private handle: bigint | null;
  private readonly stage = new Float64Array(STAGE_SIZE);
  private staged = 0;
  private readonly bound: Float64Array;
  /** Out-parameter of gmcp_histogram_bound_counts (allocating typed arrays per call is slow). */
  private readonly boundOut: Float64Array;

  constructor(
    private readonly b: MetricsBindings,
    private readonly layout: HistogramLayout,
  ) {
    this.bound = Float64Array.from(layout.bounds);
    this.boundOut = new Float64Array(this.bound.length);
    b.library.check(
      b.histogramCreate(layout.significantDigits, layout.lowest, layout.highest, this.bound, this.bound.length, b.pointerOut),
      'histogram create',
    );
    const handle = b.pointerOut[0] as bigint;
    this.handle = handle;
    b.histogramRegistry.register(this, handle, this);
  }

  get significantDigits(): number {
    return this.layout.significantDigits;
  }
  get lowest(): number {
    return this.layout.lowest;
  }
  get highest(): number {
    return this.layout.highest;
  }
  get bounds(): readonly number[] {
    return this.layout.bounds;
  }
  get closed(): boolean {
    return this.handle === null;
  }
  get count(): number {
    return this.summary()[0] as number;
  }
  get sum(): number {
    return this.summary()[1] as number;
  }
  get min(): number {
    return this.summary()[2] as number;
  }
  get max(): number {
    return this.summary()[3] as number;
  }

  record(value: number): void {
    if (this.handle === null) throw closedError('histogram');
    if (!isValidValue(value)) throw invalidArgument('histogram record: a value must be finite and >= 0');
    this.stage[this.staged++] = value;
    if (this.staged === STAGE_SIZE) this.flush();
  }

  recordMany(values: Float64Array, count?: number): void {
    const handle = this.open();
    const n = recordManyCount(values, count);
    this.b.library.check(this.b.histogramRecordMany(handle, values, n), 'histogram record many');
  }

  quantile(q: number): number {
    const handle = this.open();
    checkQuantile(q);
    const b = this.b;
    b.library.check(b.histogramQuantile(handle, q, b.doubles), 'histogram quantile');
    return b.doubles[0] as number;
  }

  boundCounts(): number[] {
    const handle = this.open();
    const out = this.boundOut;
    this.b.library.check(this.b.histogramBoundCounts(handle, out, out.length), 'histogram bound counts');
    return Array.from(out);
  }

  merge(other: Histogram): void {
    const handle = this.open();
    if (!(other instanceof NativeHistogram)) throw invalidArgument('histogram merge: the other histogram belongs to another engine');
    const theirs = other.open();
    this.b.library.check(this.b.histogramMerge(handle, theirs), 'histogram merge');
  }

  reset(): void {
    const handle = this.open();
    this.b.library.check(this.b.histogramReset(handle), 'histogram reset');
  }

  snapshot(): HistogramSnapshot {
    const handle = this.open();
    const summary = Float64Array.from(this.summary());
    const triples = new Float64Array(3 * (summary[4] as number));
    this.b.library.check(this.b.histogramBuckets(handle, triples, triples.length), 'histogram buckets');
    const buckets: HistogramBucket[] = [];
    for (let i = 0; i < triples.length; i += 3) {
      buckets.push({ lower: triples[i] as number, upper: triples[i + 1] as number, count: triples[i + 2] as number });
    }
    return {
      count: summary[0] as number,
      sum: summary[1] as number,
      min: summary[2] as number,
      max: summary[3] as number,
      buckets,
      bounds: [...this.layout.bounds],
      boundCounts: this.boundCounts(),
    };
  }

  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    this.staged = 0;
    this.b.histogramRegistry.unregister(this);
    this.b.histogramFree(handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The handle, with every staged value recorded. */
  private open(): bigint {
    const handle = this.handle;
    if (handle === null) throw closedError('histogram');
    if (this.staged > 0) this.flush();
    return handle;
  }

  private flush(): void {
    const n = this.staged;
    this.staged = 0;
    this.b.library.check(this.b.histogramRecordMany(this.handle as bigint, this.stage, n), 'histogram record');
  }

  private summary(): Float64Array {
    const handle = this.open();
    const b = this.b;
    b.library.check(b.histogramSummary(handle, b.doubles), 'histogram summary');
    return b.doubles;
  }
}
