/**
 * @gopher-mcp/core: the engine (native and JS twin), message model, filter chain and FilterManager.
 * @packageDocumentation
 */
export * from './engine/index.js';
export { createBufferPool, type CreateBufferPoolOptions } from './buffers.js';
export * from './errors/index.js';
export * from './message/jsonrpc.js';
export type { MessageView } from './message/view.js';
export { ObjectMessageView } from './message/object-view.js';
export { errorView, errorObjectView, resultView, replyId } from './message/responses.js';
export { toMessageView, InvalidMessageError, type MessageInput } from './message/to-view.js';
export { BytesMessageView } from './message/bytes-view.js';
export { parseMessageBytes, type ParseBytesOptions, type ParsedBytes } from './message/parse-bytes.js';
export { readMcpFields, type McpFields } from './message/mcp-fields.js';
export * from './context/attributes.js';
export * from './context/clock.js';
export * from './context/logger.js';
export * from './context/peer.js';
export * from './context/consumed-headers.js';
export * from './context/principal.js';
export * from './context/create-context.js';
export * from './chain/filter.js';
export * from './chain/events.js';
export * from './chain/stats.js';
export * from './chain/glob.js';
export { type EntryOptions, type FallbackBehavior } from './chain/entry.js';
export { FilterChain, type ChainOptions, type Terminal, type Position, type DefaultResponse } from './chain/filter-chain.js';
export { ChainBuilder } from './chain/builder.js';
export { engineLatency } from './chain/engine-latency.js';
export * from './registry/family.js';
export * from './registry/known-filters.js';
export * from './registry/registry.js';
export * from './config/index.js';
export { FilterManager, type FilterManagerOptions, type FilterManagerStats, type Upstream } from './manager/filter-manager.js';
export { filterManagerFromConfig, type FromConfigOptions } from './manager/from-config.js';
export { AwaitingResponses, exchangeKey, type ReleaseReason } from './manager/awaiting-responses.js';
export { LazyAbort } from './manager/lazy-abort.js';
export { LruMap } from './util/lru-map.js';
