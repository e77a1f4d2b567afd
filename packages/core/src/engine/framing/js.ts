import { JsContentLengthFramer } from './js-content-length.js';
import { JsNdjsonFramer } from './js-ndjson.js';
import { checkFramerOptions } from './options.js';
import type { FramingEngine } from './types.js';

/** The TypeScript twin of the framing primitives. */
export function createJsFramingEngine(): FramingEngine {
  return {
    createFramer: (options) => {
      const { kind, maxFrameSize } = checkFramerOptions(options);
      return kind === 'ndjson' ? new JsNdjsonFramer(maxFrameSize) : new JsContentLengthFramer(maxFrameSize);
    },
  };
}
