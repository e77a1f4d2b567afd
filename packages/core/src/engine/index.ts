export * from './errors.js';
export * from './types.js';
export * from './loader.js';
export { createJsEngine } from './js-engine.js';
export type { NativeLibrary } from './native-library/library.js';
