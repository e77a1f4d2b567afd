import type { NativeLibrary } from '../native-library/library.js';
import type { BufferEngine } from './types.js';

/** The buffers primitives over libgopher_mcp_c. */
export function createNativeBufferEngine(_library: NativeLibrary): BufferEngine {
  return {};
}
