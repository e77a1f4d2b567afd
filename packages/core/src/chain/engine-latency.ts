import type { Engine } from '../engine/types.js';
import type { Histogram } from '../engine/metrics/types.js';
import type { LatencyRecorder, LatencySnapshot } from './stats.js';

const BATCH = 256;

/**
 * A latency recorder over the engine's log-linear histogram. Observations are batched in a
 * Float64Array and handed to the histogram in one call per 256 (or when read), so the native
 * engine pays one FFI call per batch rather than per exchange.
 */
class EngineLatencyRecorder implements LatencyRecorder {
  private readonly pending = new Float64Array(BATCH);
  private pendingCount = 0;
  /** The last snapshot, kept when the histogram is closed so statistics stay readable. */
  private final: LatencySnapshot | undefined;

  constructor(private readonly histogram: Histogram) {}

  record(ms: number): void {
    this.pending[this.pendingCount++] = ms < 0 ? 0 : ms;
    if (this.pendingCount === BATCH) this.flush();
  }

  snapshot(): LatencySnapshot {
    if (this.final !== undefined) return this.final;
    this.flush();
    const h = this.histogram;
    return {
      count: h.count,
      sumMs: h.sum,
      minMs: h.min,
      maxMs: h.max,
      p50Ms: h.quantile(0.5),
      p90Ms: h.quantile(0.9),
      p99Ms: h.quantile(0.99),
    };
  }

  close(): void {
    if (this.final !== undefined) return;
    this.final = this.snapshot();
    this.histogram.close();
  }

  private flush(): void {
    if (this.pendingCount === 0 || this.histogram.closed) return;
    this.histogram.recordMany(this.pending, this.pendingCount);
    this.pendingCount = 0;
  }
}

/**
 * Latency recorders (milliseconds, 2 significant digits, 1 µs to 10 min) made from `engine`'s
 * histograms: pass as `latency` in chain or manager options.
 */
export function engineLatency(engine: Engine): (name: string) => LatencyRecorder {
  return () => new EngineLatencyRecorder(engine.createHistogram({ significantDigits: 2, lowest: 0.001, highest: 600_000 }));
}
