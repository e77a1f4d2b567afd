import type { MetricsEngine } from './types.js';

/** The TypeScript twin of the metrics primitives. */
export function createJsMetricsEngine(): MetricsEngine {
  return {};
}
