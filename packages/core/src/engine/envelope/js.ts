import type { EnvelopeEngine } from './types.js';

/** The TypeScript twin of the envelope primitives. */
export function createJsEnvelopeEngine(): EnvelopeEngine {
  return {};
}
