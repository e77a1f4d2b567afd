/** A latency distribution: the engine's histogram, in milliseconds. */
export interface LatencySnapshot {
  readonly count: number;
  readonly sumMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

/** Where a chain records latencies; made from the engine's histogram primitive. */
export interface LatencyRecorder {
  record(ms: number): void;
  snapshot(): LatencySnapshot;
  close(): void;
}

/** Counters of one filter in a chain. */
export interface FilterStats {
  readonly name: string;
  readonly type: string;
  readonly enabled: boolean;
  /** Exchanges the filter handled. */
  readonly processed: number;
  /** Exchanges it let through (its response came from further in). */
  readonly passed: number;
  /** Exchanges it refused or answered itself with an error. */
  readonly denied: number;
  /** Times it threw (handled by the fallback). */
  readonly errors: number;
  /** Exchanges its condition stepped over. */
  readonly skipped: number;
  /** Inclusive time in the filter (its own work plus everything inside it), when measured. */
  readonly latency: LatencySnapshot | undefined;
}

/** Counters of a whole chain. */
export interface ChainStats {
  readonly exchanges: number;
  readonly requests: number;
  readonly notifications: number;
  /** Requests answered with a result. */
  readonly succeeded: number;
  /** Requests answered with an error (denials included). */
  readonly failed: number;
  /** Requests and notifications refused by a filter. */
  readonly denied: number;
  /** Notifications refused and therefore dropped. */
  readonly droppedNotifications: number;
  readonly filterErrors: number;
  readonly inFlight: number;
  readonly latency: LatencySnapshot | undefined;
  readonly filters: readonly FilterStats[];
}

/** Mutable counters behind {@link FilterStats}. */
export class FilterCounters {
  processed = 0;
  passed = 0;
  denied = 0;
  errors = 0;
  skipped = 0;
}
