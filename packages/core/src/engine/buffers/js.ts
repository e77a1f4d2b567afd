import type { BufferEngine } from './types.js';

/** The TypeScript twin of the buffers primitives. */
export function createJsBufferEngine(): BufferEngine {
  return {};
}
