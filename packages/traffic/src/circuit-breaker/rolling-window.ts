/**
 * Counts of calls over the last `windowMs`, kept in `buckets` equal slices (a call falls out of
 * the window one slice at a time). Times are clock milliseconds.
 */
export class RollingWindow {
  private readonly sliceMs: number;
  private readonly totals: Float64Array;
  private readonly failures: Float64Array;
  private readonly slows: Float64Array;
  private readonly epochs: Float64Array;
  private sumTotal = 0;
  private sumFailures = 0;
  private sumSlow = 0;
  /** The slice of the last `expire` pass (every record since fell in it). */
  private expiredFor = -Infinity;

  constructor(
    windowMs: number,
    private readonly buckets: number,
  ) {
    this.sliceMs = Math.max(1, windowMs / buckets);
    this.totals = new Float64Array(buckets);
    this.failures = new Float64Array(buckets);
    this.slows = new Float64Array(buckets);
    this.epochs = new Float64Array(buckets).fill(-Infinity);
  }

  /** Counts one call ending at `now`. */
  record(now: number, failure: boolean, slow: boolean): void {
    const slot = this.slot(now);
    this.totals[slot] = (this.totals[slot] as number) + 1;
    this.sumTotal++;
    if (failure) {
      this.failures[slot] = (this.failures[slot] as number) + 1;
      this.sumFailures++;
    }
    if (slow) {
      this.slows[slot] = (this.slows[slot] as number) + 1;
      this.sumSlow++;
    }
  }

  /** Calls, failures and slow calls in the window ending at `now`. */
  counts(now: number): { total: number; failures: number; slow: number } {
    this.expire(now);
    return { total: this.sumTotal, failures: this.sumFailures, slow: this.sumSlow };
  }

  /** Calls in the window as of the last `record` or `counts` (read right after one, without an object). */
  get total(): number {
    return this.sumTotal;
  }

  /** Failures in the window as of the last `record` or `counts`. */
  get failureCount(): number {
    return this.sumFailures;
  }

  /** Slow calls in the window as of the last `record` or `counts`. */
  get slowCount(): number {
    return this.sumSlow;
  }

  /** Forgets everything. */
  reset(): void {
    this.totals.fill(0);
    this.failures.fill(0);
    this.slows.fill(0);
    this.epochs.fill(-Infinity);
    this.sumTotal = this.sumFailures = this.sumSlow = 0;
    this.expiredFor = -Infinity;
  }

  private slot(now: number): number {
    this.expire(now);
    const epoch = Math.floor(now / this.sliceMs);
    const slot = ((epoch % this.buckets) + this.buckets) % this.buckets;
    if (this.epochs[slot] !== epoch) {
      this.clear(slot);
      this.epochs[slot] = epoch;
    }
    return slot;
  }

  private expire(now: number): void {
    const current = Math.floor(now / this.sliceMs);
    // A pass leaves nothing to expire in its slice, and records in that slice add nothing that
    // could be: only a call in another slice (later, or earlier when the clock went back) needs one.
    if (current === this.expiredFor) return;
    this.expiredFor = current;
    const oldest = current - this.buckets + 1;
    for (let i = 0; i < this.buckets; i++) {
      if ((this.epochs[i] as number) < oldest && (this.totals[i] as number) > 0) this.clear(i);
    }
  }

  private clear(slot: number): void {
    this.sumTotal -= this.totals[slot] as number;
    this.sumFailures -= this.failures[slot] as number;
    this.sumSlow -= this.slows[slot] as number;
    this.totals[slot] = 0;
    this.failures[slot] = 0;
    this.slows[slot] = 0;
    this.epochs[slot] = -Infinity;
  }
}
