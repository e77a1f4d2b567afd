import { checkQuantile, closedError, invalidArgument, recordManyCount } from './errors.js';
import { bucketEdges, HIGH, type HistogramLayout, isValidValue, sameLayout, scratch, scratchWords } from './layout.js';
import type { Histogram, HistogramBucket, HistogramSnapshot } from './types.js';

/** A {@link Histogram} of the TypeScript twin: the twin of native/src/metrics_histogram.cpp. */
export class JsHistogram implements Histogram {
  private counts: Float64Array | null;
  private readonly boundValues: Float64Array;
  private readonly perBound: Float64Array;
  private total = 0;
  private totalSum = 0;
  private minimum = Infinity;
  private maximum = -Infinity;
  private nonempty = 0;
  // The layout unpacked for add(): bucket_of in a few integer operations.
  private readonly lowBiased: number;
  private readonly highBiased: number;
  private readonly subShift: number;
  private readonly subMask: number;
  private readonly subBits: number;
  private readonly last: number;

  constructor(private readonly layout: HistogramLayout) {
    this.counts = new Float64Array(layout.buckets);
    this.lowBiased = layout.lowBiased;
    this.highBiased = layout.highBiased;
    this.subBits = layout.subBits;
    this.subShift = 20 - layout.subBits;
    this.subMask = (1 << layout.subBits) - 1;
    this.last = layout.buckets - 1;
    this.boundValues = Float64Array.from(layout.bounds);
    this.perBound = new Float64Array(layout.bounds.length);
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
    return this.counts === null;
  }
  get count(): number {
    this.open();
    return this.total;
  }
  get sum(): number {
    this.open();
    return this.totalSum;
  }
  get min(): number {
    this.open();
    return this.total === 0 ? 0 : this.minimum;
  }
  get max(): number {
    this.open();
    return this.total === 0 ? 0 : this.maximum;
  }

  record(value: number): void {
    const counts = this.open();
    if (!isValidValue(value)) throw invalidArgument('histogram record: a value must be finite and >= 0');
    this.add(counts, value);
  }

  recordMany(values: Float64Array, count?: number): void {
    const counts = this.open();
    const n = recordManyCount(values, count);
    for (let i = 0; i < n; i++) {
      if (!isValidValue(values[i] as number)) throw invalidArgument('histogram record many: a value must be finite and >= 0');
    }
    for (let i = 0; i < n; i++) this.add(counts, values[i] as number);
  }

  quantile(q: number): number {
    const counts = this.open();
    checkQuantile(q);
    if (this.total === 0) return 0;
    if (q === 0) return this.minimum;
    if (q === 1) return this.maximum;
    let rank = Math.ceil(q * this.total);
    if (rank < 1) rank = 1;
    let cumulative = 0;
    let index = 0;
    for (; index < counts.length; index++) {
      cumulative += counts[index] as number;
      if (cumulative >= rank) break;
    }
    if (index >= this.layout.buckets - 1) return this.maximum;
    const [lower, upper] = bucketEdges(this.layout, index);
    const middle = lower + (upper - lower) / 2;
    if (middle < this.minimum) return this.minimum;
    if (middle > this.maximum) return this.maximum;
    return middle;
  }

  boundCounts(): number[] {
    this.open();
    const out: number[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.perBound.length; i++) {
      cumulative += this.perBound[i] as number;
      out.push(cumulative);
    }
    return out;
  }

  merge(other: Histogram): void {
    const counts = this.open();
    if (!(other instanceof JsHistogram)) throw invalidArgument('histogram merge: the other histogram belongs to another engine');
    const theirs = other.open();
    if (!sameLayout(this.layout, other.layout)) {
      throw invalidArgument('histogram merge: the histograms differ in digits, range or bounds');
    }
    this.nonempty = 0;
    for (let i = 0; i < counts.length; i++) {
      counts[i] = (counts[i] as number) + (theirs[i] as number);
      if (counts[i] !== 0) this.nonempty += 1;
    }
    for (let i = 0; i < this.perBound.length; i++) this.perBound[i] = (this.perBound[i] as number) + (other.perBound[i] as number);
    this.total += other.total;
    this.totalSum = this.totalSum + other.totalSum;
    if (other.minimum < this.minimum) this.minimum = other.minimum;
    if (other.maximum > this.maximum) this.maximum = other.maximum;
  }

  reset(): void {
    const counts = this.open();
    counts.fill(0);
    this.perBound.fill(0);
    this.total = 0;
    this.totalSum = 0;
    this.minimum = Infinity;
    this.maximum = -Infinity;
    this.nonempty = 0;
  }

  snapshot(): HistogramSnapshot {
    const counts = this.open();
    const buckets: HistogramBucket[] = [];
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as number;
      if (count === 0) continue;
      const [lower, upper] = bucketEdges(this.layout, i);
      buckets.push({ lower, upper, count });
    }
    return {
      count: this.total,
      sum: this.totalSum,
      min: this.min,
      max: this.max,
      buckets,
      bounds: [...this.layout.bounds],
      boundCounts: this.boundCounts(),
    };
  }

  close(): void {
    this.counts = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The number of non-empty buckets (for tests of the bookkeeping). */
  nonemptyBuckets(): number {
    this.open();
    return this.nonempty;
  }

  private open(): Float64Array {
    if (this.counts === null) throw closedError('histogram');
    return this.counts;
  }

  /** Records a valid value (the twin of Histogram::record). */
  private add(counts: Float64Array, raw: number): void {
    const value = raw + 0;
    scratch[0] = value;
    const high = scratchWords[HIGH] as number;
    const biased = (high >>> 20) & 0x7ff;
    let index: number;
    if (biased < this.lowBiased) index = 0;
    else if (biased > this.highBiased) index = this.last;
    else index = 1 + ((biased - this.lowBiased) << this.subBits) + ((high >>> this.subShift) & this.subMask);
    const before = counts[index] as number;
    if (before === 0) this.nonempty += 1;
    counts[index] = before + 1;
    const bounds = this.boundValues;
    if (bounds.length > 0) {
      let low = 0;
      let high = bounds.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if ((bounds[mid] as number) < value) low = mid + 1;
        else high = mid;
      }
      if (low < bounds.length) this.perBound[low] = (this.perBound[low] as number) + 1;
    }
    this.total += 1;
    this.totalSum += value;
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
  }
}
