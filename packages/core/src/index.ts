/**
 * @gopher-mcp/core: the engine (native and JS twin), message model, filter chain and FilterManager.
 * @packageDocumentation
 */
export * from './engine/index.js';
