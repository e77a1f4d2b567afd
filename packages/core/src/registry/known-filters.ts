/** The filter type ids of DESIGN section 6 with their numeric ids on the native side. */
export const FILTER_TYPE_IDS = {
  tcp_proxy: 0,
  udp_proxy: 1,
  http_codec: 10,
  http_router: 11,
  http_compression: 12,
  tls_termination: 20,
  authentication: 21,
  authorization: 22,
  access_log: 30,
  metrics: 31,
  tracing: 32,
  rate_limit: 40,
  circuit_breaker: 41,
  retry: 42,
  load_balancer: 43,
  custom: 100,
} as const;

/** A built-in filter type id. */
export type BuiltinFilterType = Exclude<keyof typeof FILTER_TYPE_IDS, 'custom'>;

/** The package that implements each built-in filter type. */
export const FILTER_PACKAGES: Readonly<Record<BuiltinFilterType, string>> = {
  tcp_proxy: '@gopher-mcp/network',
  udp_proxy: '@gopher-mcp/network',
  http_codec: '@gopher-mcp/http',
  http_router: '@gopher-mcp/http',
  http_compression: '@gopher-mcp/http',
  tls_termination: '@gopher-mcp/security',
  authentication: '@gopher-mcp/security',
  authorization: '@gopher-mcp/security',
  access_log: '@gopher-mcp/observability',
  metrics: '@gopher-mcp/observability',
  tracing: '@gopher-mcp/observability',
  rate_limit: '@gopher-mcp/traffic',
  circuit_breaker: '@gopher-mcp/traffic',
  retry: '@gopher-mcp/traffic',
  load_balancer: '@gopher-mcp/traffic',
};
