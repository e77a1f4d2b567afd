import type { NativeLibrary } from '../native-library/library.js';
import type { MetricsEngine } from './types.js';

/** The metrics primitives over libgopher_mcp_c. */
export function createNativeMetricsEngine(_library: NativeLibrary): MetricsEngine {
  return {};
}
