import type { NativeLibrary } from '../native-library/library.js';
import type { EnvelopeEngine } from './types.js';

/** The envelope primitives over libgopher_mcp_c. */
export function createNativeEnvelopeEngine(_library: NativeLibrary): EnvelopeEngine {
  return {};
}
