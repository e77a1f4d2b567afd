import type { RateLimitEngine } from './types.js';

/** The TypeScript twin of the ratelimit primitives. */
export function createJsRateLimitEngine(): RateLimitEngine {
  return {};
}
