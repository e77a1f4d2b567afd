import type { NativeLibrary } from '../native-library/library.js';
import { framingBindings } from './native-bindings.js';
import { NativeFramer } from './native-framer.js';
import { checkFramerOptions } from './options.js';
import type { FramingEngine } from './types.js';

/** The framing primitives over libgopher_mcp_c. */
export function createNativeFramingEngine(library: NativeLibrary): FramingEngine {
  const bindings = framingBindings(library);
  return {
    createFramer: (options) => {
      const { kind, maxFrameSize } = checkFramerOptions(options);
      return new NativeFramer(bindings, kind, maxFrameSize);
    },
  };
}
