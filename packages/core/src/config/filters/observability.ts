import { z } from 'zod';

import { filterSectionBase } from '../common.js';

/** Options of the access_log filter. */
export const accessLogOptionsSchema = z.strictObject({
  ...filterSectionBase,
  format: z.enum(['json', 'text', 'combined', 'template']).default('json'),
  /** For `template`: `${field}` placeholders. */
  template: z.string().optional(),
  sink: z.union([z.literal('stderr'), z.literal('logger'), z.strictObject({ file: z.string().min(1) })]).default('stderr'),
  includeHeaders: z.boolean().default(false),
  includeBodies: z.boolean().default(false),
  /** Extra field paths or header names to redact. */
  redact: z.array(z.string()).default([]),
  maxBodyBytes: z.number().int().positive().default(4096),
  /** Fraction of successful exchanges logged (errors are always logged). */
  sampleRate: z.number().min(0).max(1).default(1),
});

/** Options of the metrics filter. */
export const metricsOptionsSchema = z.strictObject({
  ...filterSectionBase,
  namespace: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).default('gopher_mcp'),
  /** Tool names beyond this many fold into `other`. */
  maxToolLabels: z.number().int().positive().default(100),
  /** Duration histogram bounds in seconds. */
  buckets: z.array(z.number().positive()).default([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  /** Serve `/metrics` on this port (0 = any free port). */
  serve: z.strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535), path: z.string().default('/metrics') }).optional(),
});

/** Options of the tracing filter. */
export const tracingOptionsSchema = z.strictObject({
  ...filterSectionBase,
  sampler: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('always') }),
      z.strictObject({ type: z.literal('never') }),
      z.strictObject({ type: z.literal('ratio'), ratio: z.number().min(0).max(1) }),
      z.strictObject({ type: z.literal('parent'), root: z.enum(['always', 'never']).default('always') }),
      z.strictObject({ type: z.literal('rate_limited'), perSecond: z.number().positive() }),
    ])
    .default({ type: 'parent', root: 'always' }),
  captureArguments: z.boolean().default(false),
  captureResults: z.boolean().default(false),
  /** Inject the trace context into outbound requests' `_meta`. */
  propagate: z.boolean().default(true),
});

/** The `observability` section. */
export const observabilitySchema = z.strictObject({
  accessLog: accessLogOptionsSchema.optional(),
  metrics: metricsOptionsSchema.optional(),
  tracing: tracingOptionsSchema.optional(),
});
