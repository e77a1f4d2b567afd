import type { NativeLibrary } from '../native-library/library.js';
import { requireBytes } from './arguments.js';
import { bufferBindings } from './native-bindings.js';
import { NativeBufferPool } from './native-pool.js';
import type { BufferEngine } from './types.js';

/** The buffers primitives over libgopher_mcp_c. */
export function createNativeBufferEngine(library: NativeLibrary): BufferEngine {
  const bindings = bufferBindings(library);
  return {
    createBufferPool: (options) => new NativeBufferPool(bindings, options),
    bufferNoop: (bytes) => {
      requireBytes(bytes, 'bytes');
      const status = bindings.noop(bytes, bytes.length);
      if (status < 0) library.check(status, 'buffer noop');
    },
  };
}
