import type { NativeLibrary } from '../native-library/library.js';
import type { RateLimitEngine } from './types.js';

/** The ratelimit primitives over libgopher_mcp_c. */
export function createNativeRateLimitEngine(_library: NativeLibrary): RateLimitEngine {
  return {};
}
