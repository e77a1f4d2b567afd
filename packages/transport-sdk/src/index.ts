/**
 * @gopher-mcp/transport-sdk: Gopher MCP filter chains for the official MCP TypeScript SDK, as a
 * `Transport` decorator that works with `@modelcontextprotocol/sdk` 1.x and the 2.x packages.
 * @packageDocumentation
 */
export { GopherTransport, type GopherTransportStats } from './gopher-transport.js';
export { withFilters } from './with-filters.js';
export type { FiltersInput, GopherTransportOptions, Side } from './options.js';
export {
  AUTH_INFO,
  MESSAGE_EXTRA,
  SEND_OPTIONS,
  detectTransportName,
  headersOf,
  principalFromAuthInfo,
  type PeerSource,
} from './context.js';
export { REQUEST_CANCELLED } from './exchange-host.js';
export type {
  SdkAuthInfo,
  SdkHeadersLike,
  SdkIsomorphicHeaders,
  SdkJsonRpcMessage,
  SdkMessageExtraInfo,
  SdkMessageHandler,
  SdkRequestInfo,
  SdkSendOptions,
  SdkTransport,
} from './sdk-types.js';
