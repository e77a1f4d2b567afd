import type { NativeLibrary } from '../native-library/library.js';

/** A status-returning native call (`gmcp_status`). */
type Call<A extends unknown[]> = (...args: A) => number;

/**
 * The koffi bindings of the metrics section of `gopher_mcp_c.h` with the scratch arrays their
 * out-parameters are written to (JS is single-threaded: outputs are read right after the call).
 * Handles are koffi BigInt pointers; typed arrays are passed without copying.
 */
export interface MetricsBindings {
  readonly library: NativeLibrary;
  readonly histogramCreate: Call<[digits: number, lowest: number, highest: number, bounds: Float64Array, count: number, out: BigUint64Array]>;
  readonly histogramFree: (histogram: bigint) => void;
  readonly histogramRecord: Call<[histogram: bigint, value: number]>;
  readonly histogramRecordMany: Call<[histogram: bigint, values: Float64Array, count: number]>;
  readonly histogramSummary: Call<[histogram: bigint, out: Float64Array]>;
  readonly histogramQuantile: Call<[histogram: bigint, q: number, out: Float64Array]>;
  readonly histogramBuckets: Call<[histogram: bigint, out: Float64Array, capacity: number]>;
  readonly histogramBoundCounts: Call<[histogram: bigint, out: Float64Array, capacity: number]>;
  readonly histogramMerge: Call<[histogram: bigint, other: bigint]>;
  readonly histogramReset: Call<[histogram: bigint]>;
  readonly countersCreate: Call<[count: number, out: BigUint64Array]>;
  readonly countersFree: (set: bigint) => void;
  readonly countersAdd: Call<[set: bigint, index: number, amount: number]>;
  readonly countersGet: Call<[set: bigint, index: number, out: Float64Array]>;
  readonly countersValues: Call<[set: bigint, out: BigUint64Array]>;
  readonly countersSnapshot: Call<[set: bigint, out: Float64Array, capacity: number]>;
  readonly countersReset: Call<[set: bigint]>;
  /** Out-parameter for a handle or a pointer. */
  readonly pointerOut: BigUint64Array;
  /** Out-parameter for up to 8 doubles. */
  readonly doubles: Float64Array;
  /** Frees histograms whose objects were collected without close(). */
  readonly histogramRegistry: FinalizationRegistry<bigint>;
  /** Frees counter sets whose objects were collected without close(). */
  readonly countersRegistry: FinalizationRegistry<bigint>;
}

const cache = new WeakMap<NativeLibrary, MetricsBindings>();

/** The metrics bindings of `library` (made once per library). */
export function metricsBindings(library: NativeLibrary): MetricsBindings {
  let bindings = cache.get(library);
  if (bindings === undefined) {
    bindings = bind(library);
    cache.set(library, bindings);
  }
  return bindings;
}

function bind(library: NativeLibrary): MetricsBindings {
  const f = (prototype: string) => library.lib.func(prototype) as (...args: unknown[]) => number;
  const histogramFree = library.lib.func('void gmcp_histogram_free(void *histogram)') as (histogram: bigint) => void;
  const countersFree = library.lib.func('void gmcp_counters_free(void *set)') as (set: bigint) => void;
  return {
    library,
    histogramCreate: f(
      'int32_t gmcp_histogram_create(uint32_t significant_digits, double lowest, double highest, const void *bounds, size_t bound_count, void *out_histogram)',
    ),
    histogramFree,
    histogramRecord: f('int32_t gmcp_histogram_record(void *histogram, double value)'),
    histogramRecordMany: f('int32_t gmcp_histogram_record_many(void *histogram, const void *values, size_t count)'),
    histogramSummary: f('int32_t gmcp_histogram_summary(void *histogram, void *out_summary)'),
    histogramQuantile: f('int32_t gmcp_histogram_quantile(void *histogram, double q, void *out_value)'),
    histogramBuckets: f('int32_t gmcp_histogram_buckets(void *histogram, void *out_triples, size_t capacity)'),
    histogramBoundCounts: f('int32_t gmcp_histogram_bound_counts(void *histogram, void *out_counts, size_t capacity)'),
    histogramMerge: f('int32_t gmcp_histogram_merge(void *histogram, void *other)'),
    histogramReset: f('int32_t gmcp_histogram_reset(void *histogram)'),
    countersCreate: f('int32_t gmcp_counters_create(size_t count, void *out_set)'),
    countersFree,
    countersAdd: f('int32_t gmcp_counters_add(void *set, size_t index, double amount)'),
    countersGet: f('int32_t gmcp_counters_get(void *set, size_t index, void *out_value)'),
    countersValues: f('int32_t gmcp_counters_values(void *set, void *out_values)'),
    countersSnapshot: f('int32_t gmcp_counters_snapshot(void *set, void *out_values, size_t capacity)'),
    countersReset: f('int32_t gmcp_counters_reset(void *set)'),
    pointerOut: new BigUint64Array(1),
    doubles: new Float64Array(8),
    histogramRegistry: new FinalizationRegistry<bigint>((handle) => histogramFree(handle)),
    countersRegistry: new FinalizationRegistry<bigint>((handle) => countersFree(handle)),
  };
}
