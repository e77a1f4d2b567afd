import { createNativeBufferEngine } from './buffers/native.js';
import { createNativeEnvelopeEngine } from './envelope/native.js';
import { createNativeFramingEngine } from './framing/native.js';
import { createNativeMetricsEngine } from './metrics/native.js';
import type { NativeLibrary } from './native-library/library.js';
import { createNativeRateLimitEngine } from './ratelimit/native.js';
import type { Engine } from './types.js';

/** The engine over an open `libgopher_mcp_c`. */
export function createNativeEngine(library: NativeLibrary): Engine {
  return {
    kind: 'native',
    source: library.path,
    ...createNativeBufferEngine(library),
    ...createNativeFramingEngine(library),
    ...createNativeEnvelopeEngine(library),
    ...createNativeRateLimitEngine(library),
    ...createNativeMetricsEngine(library),
  };
}
