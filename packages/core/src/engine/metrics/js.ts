import { JsCounterSet } from './js-counters.js';
import { JsHistogram } from './js-histogram.js';
import { resolveHistogramOptions } from './layout.js';
import type { MetricsEngine } from './types.js';

/** The TypeScript twin of the metrics primitives. */
export function createJsMetricsEngine(): MetricsEngine {
  return {
    createHistogram: (options) => new JsHistogram(resolveHistogramOptions(options)),
    createCounterSet: (size) => new JsCounterSet(size),
  };
}
