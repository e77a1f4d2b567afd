import { requireBytes } from './arguments.js';
import { JsBufferPool } from './js-pool.js';
import type { BufferEngine } from './types.js';

/** The TypeScript twin of the buffers primitives. */
export function createJsBufferEngine(): BufferEngine {
  return {
    createBufferPool: (options) => new JsBufferPool(options),
    bufferNoop: (bytes) => {
      requireBytes(bytes, 'bytes');
    },
  };
}
