import { createJsBufferEngine } from './buffers/js.js';
import { createJsEnvelopeEngine } from './envelope/js.js';
import { createJsFramingEngine } from './framing/js.js';
import { createJsMetricsEngine } from './metrics/js.js';
import { createJsRateLimitEngine } from './ratelimit/js.js';
import type { Engine } from './types.js';

/** The pure TypeScript twin of the native engine. */
export function createJsEngine(): Engine {
  return {
    kind: 'js',
    source: 'typescript',
    ...createJsBufferEngine(),
    ...createJsFramingEngine(),
    ...createJsEnvelopeEngine(),
    ...createJsRateLimitEngine(),
    ...createJsMetricsEngine(),
  };
}
