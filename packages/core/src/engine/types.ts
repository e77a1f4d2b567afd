import type { BufferEngine } from './buffers/types.js';
import type { EnvelopeEngine } from './envelope/types.js';
import type { FramingEngine } from './framing/types.js';
import type { MetricsEngine } from './metrics/types.js';
import type { RateLimitEngine } from './ratelimit/types.js';

/** Which implementation an {@link Engine} runs on. */
export type EngineKind = 'native' | 'js';

/** How to choose the engine: `auto` takes native when the library loads, else the JS twin. */
export type EngineSelection = EngineKind | 'auto';

/**
 * The hot primitives of Gopher MCP behind one interface, implemented twice with identical
 * semantics: by `libgopher_mcp_c` through koffi (`native`) and in TypeScript (`js`). The shared
 * conformance vectors hold both to the same outputs, byte for byte.
 */
export interface Engine extends BufferEngine, FramingEngine, EnvelopeEngine, RateLimitEngine, MetricsEngine {
  /** The implementation behind this engine. */
  readonly kind: EngineKind;
  /** Where it came from: the path of the loaded library, or `"typescript"` for the JS twin. */
  readonly source: string;
}
