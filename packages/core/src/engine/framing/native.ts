import type { NativeLibrary } from '../native-library/library.js';
import type { FramingEngine } from './types.js';

/** The framing primitives over libgopher_mcp_c. */
export function createNativeFramingEngine(_library: NativeLibrary): FramingEngine {
  return {};
}
