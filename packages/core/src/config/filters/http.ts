import { z } from 'zod';

import { filterSectionBase } from '../common.js';

/** Options of the http_codec filter: HTTP framing rules for MCP over Streamable HTTP. */
export const httpCodecOptionsSchema = z.strictObject({
  ...filterSectionBase,
  maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
  maxHeaderBytes: z.number().int().positive().default(16 * 1024),
  protocolVersions: z.array(z.enum(['2025-06-18', '2025-11-25', '2026-07-28'])).default(['2025-06-18', '2025-11-25', '2026-07-28']),
  /** On 2026-07-28, require `Mcp-Method` / `Mcp-Name` headers that match the body. */
  requireMethodHeaders: z.boolean().default(true),
});

/** Options of the http_router filter: routes by path and MCP method to upstreams. */
export const httpRouterOptionsSchema = z.strictObject({
  ...filterSectionBase,
  routes: z.array(z.strictObject({ path: z.string().min(1), methods: z.array(z.string()).optional(), upstream: z.string().min(1) })).default([]),
  defaultUpstream: z.string().optional(),
});

/** Options of the http_compression filter. */
export const httpCompressionOptionsSchema = z.strictObject({
  ...filterSectionBase,
  algorithms: z.array(z.enum(['br', 'gzip', 'deflate'])).default(['br', 'gzip']),
  minBytes: z.number().int().nonnegative().default(1024),
  level: z.number().int().min(0).max(11).optional(),
});

/** The `http` section. */
export const httpSchema = z.strictObject({
  codec: httpCodecOptionsSchema.optional(),
  router: httpRouterOptionsSchema.optional(),
  compression: httpCompressionOptionsSchema.optional(),
});
