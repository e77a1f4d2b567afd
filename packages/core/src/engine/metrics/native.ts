import type { NativeLibrary } from '../native-library/library.js';
import { resolveHistogramOptions } from './layout.js';
import { metricsBindings } from './native-bindings.js';
import { NativeCounterSet } from './native-counters.js';
import { NativeHistogram } from './native-histogram.js';
import type { MetricsEngine } from './types.js';

/** The metrics primitives over libgopher_mcp_c. */
export function createNativeMetricsEngine(library: NativeLibrary): MetricsEngine {
  const b = metricsBindings(library);
  return {
    createHistogram: (options) => new NativeHistogram(b, resolveHistogramOptions(options)),
    createCounterSet: (size) => new NativeCounterSet(b, size),
  };
}
