import { z } from 'zod';

import { durationMs, endpointSchema, filterSectionBase } from '../common.js';

/** Options of the tcp_proxy filter: forwards framed MCP messages to an upstream over TCP. */
export const tcpProxyOptionsSchema = z.strictObject({
  ...filterSectionBase,
  upstream: endpointSchema,
  connectTimeoutMs: durationMs().default(5_000),
  idleTimeoutMs: durationMs().default(300_000),
  maxConnections: z.number().int().positive().default(1024),
  framing: z.enum(['ndjson', 'content-length']).default('ndjson'),
});

/** Options of the udp_proxy filter: forwards one message per datagram to an upstream. */
export const udpProxyOptionsSchema = z.strictObject({
  ...filterSectionBase,
  upstream: endpointSchema,
  sessionTimeoutMs: durationMs().default(60_000),
  maxDatagramBytes: z.number().int().positive().max(65_507).default(65_507),
});

/** The `network` section. */
export const networkSchema = z.strictObject({
  tcpProxy: tcpProxyOptionsSchema.optional(),
  udpProxy: udpProxyOptionsSchema.optional(),
});
