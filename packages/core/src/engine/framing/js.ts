import type { FramingEngine } from './types.js';

/** The TypeScript twin of the framing primitives. */
export function createJsFramingEngine(): FramingEngine {
  return {};
}
