import { GopherTransport } from './gopher-transport.js';
import type { FiltersInput, GopherTransportOptions } from './options.js';
import type { SdkTransport } from './sdk-types.js';

/**
 * Wraps an MCP SDK transport with a filter chain: `server.connect(withFilters(transport, manager,
 * { side: 'server' }))`. The same as `new GopherTransport(inner, filters, options)`.
 */
export function withFilters(inner: SdkTransport, filters: FiltersInput, options: GopherTransportOptions): GopherTransport {
  return new GopherTransport(inner, filters, options);
}
