import type { AnyRegistry } from './registry-type.js';

/** One sample of a collected metric. */
export interface CollectedSample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  /** The sample's own name, for histogram series (`_bucket`, `_sum`, `_count`). */
  readonly metricName?: string;
}

/** What a collected metric reports when scraped. */
export interface CollectedMetricSpec {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** Reads the current samples; called on every scrape. */
  collect(): readonly CollectedSample[];
}

/**
 * Registers a metric whose samples are read at scrape time from somewhere else (an engine
 * histogram, a buffer pool's counters), in the shape prom-client's Registry serialises: the way
 * counters kept outside prom-client are exposed with their true type (a prom-client Counter
 * cannot be set). Re-registering the same name replaces nothing and returns false.
 */
export function registerCollected(registry: AnyRegistry, spec: CollectedMetricSpec): boolean {
  if (registry.getSingleMetric(spec.name) !== undefined) return false;
  const metric = {
    // The Registry renames counters for OpenMetrics (drops `_total`, then appends it to samples): read the name it left.
    name: spec.name,
    help: spec.help,
    type: spec.type,
    aggregator: 'sum' as const,
    get: () =>
      Promise.resolve({
        name: metric.name,
        help: spec.help,
        type: spec.type,
        aggregator: 'sum' as const,
        values: spec.collect().map((s) => ({ labels: { ...s.labels }, value: s.value, ...(s.metricName === undefined ? {} : { metricName: s.metricName }) })),
      }),
    reset: () => undefined,
  };
  // The Registry accepts any object with this shape; its declared type is prom-client's Metric union.
  registry.registerMetric(metric as unknown as Parameters<AnyRegistry['registerMetric']>[0]);
  return true;
}
