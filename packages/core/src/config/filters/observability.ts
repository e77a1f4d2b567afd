import { z } from 'zod';

import { durationMs, filterSectionBase } from '../common.js';

/** The `${field}` variables a `template` access log line may use (see `@gopher-mcp/observability`). */
export const ACCESS_LOG_TEMPLATE_FIELDS = [
  'time',
  'direction',
  'transport',
  'session',
  'peer',
  'peerAddress',
  'peerPort',
  'principal',
  'kind',
  'method',
  'tool',
  'resource',
  'prompt',
  'target',
  'id',
  'outcome',
  'code',
  'deniedBy',
  'durationMs',
  'bytesIn',
  'bytesOut',
  'userAgent',
] as const;

const TEMPLATE_PLACEHOLDER = /\$\{([^}]*)\}/g;

/** Where the access log writes its records. */
export const accessLogSinkSchema = z.union([
  /** Standard error (never standard output: the stdio transport owns it). */
  z.literal('stderr'),
  /** The pino-compatible logger given in the factory's runtime options (else the chain's logger), at `info`. */
  z.literal('logger'),
  /** A file, appended to asynchronously through a buffer; `reopen()` after rotation. */
  z.strictObject({
    file: z.string().min(1),
    /** Buffered bytes that trigger a write (default 64 KiB). */
    bufferBytes: z.number().int().positive().default(65_536),
    /** Longest a record waits in the buffer, in ms of the chain's clock (default 1000). */
    flushIntervalMs: durationMs().default(1_000),
    /** Records beyond this many bytes waiting to be written are dropped and counted (default 8 MiB). */
    maxPendingBytes: z.number().int().positive().default(8 * 1024 * 1024),
    /** Reopen the file when the process gets this signal (default: none; call `reopen()` yourself). */
    reopenOnSignal: z.enum(['SIGHUP', 'SIGUSR1', 'SIGUSR2']).optional(),
  }),
]);

/** Options of the access_log filter. */
export const accessLogOptionsSchema = z
  .strictObject({
    ...filterSectionBase,
    /** `json` (default): one JSON object per line; `text`: key=value; `combined`: Apache/nginx combined; `template`. */
    format: z.enum(['json', 'text', 'combined', 'template']).default('json'),
    /** For `template`: `${field}` variables (see ACCESS_LOG_TEMPLATE_FIELDS); absent fields print `-`. */
    template: z.string().optional(),
    /** Default `stderr`. */
    sink: accessLogSinkSchema.default('stderr'),
    /** Log the peer's HTTP request headers, secrets redacted (default false). */
    includeHeaders: z.boolean().default(false),
    /** Log the request params and the response result / error, secrets redacted (default false). */
    includeBodies: z.boolean().default(false),
    /**
     * Extra things to redact besides the built-in secrets: a header name or a body key at any depth
     * (`ssn`), or a dotted path from the message root (`params.arguments.card.number`).
     */
    redact: z.array(z.string().min(1)).default([]),
    /** A logged body longer than this (serialised, in bytes) is cut to it (default 4096). */
    maxBodyBytes: z.number().int().positive().default(4096),
    /** Fraction of successful exchanges logged (default 1); errors and denials are always logged. */
    sampleRate: z.number().min(0).max(1).default(1),
  })
  .superRefine((options, ctx) => {
    if (options.format !== 'template') return;
    if (options.template === undefined || options.template.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'format "template" needs a template' });
      return;
    }
    const known = new Set<string>(ACCESS_LOG_TEMPLATE_FIELDS);
    for (const match of options.template.matchAll(TEMPLATE_PLACEHOLDER)) {
      const field = match[1] ?? '';
      if (!known.has(field)) ctx.addIssue({ code: 'custom', path: ['template'], message: `unknown template field \${${field}}` });
    }
  });

/** The duration buckets of the OpenTelemetry MCP semantic conventions, in seconds. */
export const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300] as const;

/** Options of the metrics filter. */
export const metricsOptionsSchema = z.strictObject({
  ...filterSectionBase,
  /** Prefix of every metric name (default `gopher_mcp`). */
  namespace: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).default('gopher_mcp'),
  /** Tool names beyond this many distinct ones fold into `other` (default 100). */
  maxToolLabels: z.number().int().positive().default(100),
  /** Method names beyond this many distinct ones fold into `other` (default 100; peers choose methods). */
  maxMethodLabels: z.number().int().positive().default(100),
  /** Duration histogram bounds in seconds (default: the OpenTelemetry MCP semantic conventions' buckets). */
  buckets: z
    .array(z.number().positive())
    .min(1)
    .refine((b) => b.every((v, i) => i === 0 || v > (b[i - 1] as number)), 'buckets must be strictly increasing')
    .default([...MCP_DURATION_BUCKETS]),
  /**
   * How requests, durations, in-flight exchanges, messages and bytes are counted: `engine` (default)
   * in the engine's metrics primitives (histograms and counter sets of the TypeScript twin, exposed
   * through collectors), or `prom-client` with its own Counter / Histogram. The exposition is the same.
   */
  recorder: z.enum(['engine', 'prom-client']).default('engine'),
  /** Constant labels added to every metric of this filter (e.g. `{ environment: 'production' }`). */
  labels: z
    .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are [a-zA-Z_][a-zA-Z0-9_]*'), z.string())
    .default({}),
  /** Serve the registry on node:http (port 0 = any free port). */
  serve: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535),
      path: z.string().startsWith('/').default('/metrics'),
    })
    .optional(),
});

/** Options of the tracing filter. */
export const tracingOptionsSchema = z.strictObject({
  ...filterSectionBase,
  /**
   * Which exchanges get a span (default `parent` with root `always`): decided before the span starts.
   * `ratio` samples by the parent's trace id when there is one (consistent across services), else at
   * random; `rate_limited` allows `perSecond` spans per second of the chain's clock.
   */
  sampler: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('always') }),
      z.strictObject({ type: z.literal('never') }),
      z.strictObject({ type: z.literal('ratio'), ratio: z.number().min(0).max(1) }),
      z.strictObject({ type: z.literal('parent'), root: z.enum(['always', 'never']).default('always') }),
      z.strictObject({ type: z.literal('rate_limited'), perSecond: z.number().positive() }),
    ])
    .default({ type: 'parent', root: 'always' }),
  /** Record `gen_ai.tool.call.arguments` on tools/call spans (default false: may hold secrets). */
  captureArguments: z.boolean().default(false),
  /** Record `gen_ai.tool.call.result` on tools/call spans (default false: may hold secrets). */
  captureResults: z.boolean().default(false),
  /** Captured arguments / results longer than this (serialised, in bytes) are cut (default 4096). */
  maxCaptureBytes: z.number().int().positive().default(4096),
  /** Inject the trace context into outbound requests' and notifications' `params._meta` (default true). */
  propagate: z.boolean().default(true),
  /** Also inject it into inbound ones, so the server behind a gateway continues the trace (default false). */
  propagateInbound: z.boolean().default(false),
  /** Use `mcp.resource.uri` as the span name's target (default false: high cardinality). */
  resourceUriInSpanName: z.boolean().default(false),
});

/** The `observability` section. */
export const observabilitySchema = z.strictObject({
  accessLog: accessLogOptionsSchema.optional(),
  metrics: metricsOptionsSchema.optional(),
  tracing: tracingOptionsSchema.optional(),
});

/** Validated access_log options, defaults filled in. */
export type AccessLogConfig = z.output<typeof accessLogOptionsSchema>;
/** access_log options as written by a user (defaults optional). */
export type AccessLogConfigInput = z.input<typeof accessLogOptionsSchema>;
/** Validated metrics options, defaults filled in. */
export type MetricsConfig = z.output<typeof metricsOptionsSchema>;
/** metrics options as written by a user (defaults optional). */
export type MetricsConfigInput = z.input<typeof metricsOptionsSchema>;
/** Validated tracing options, defaults filled in. */
export type TracingConfig = z.output<typeof tracingOptionsSchema>;
/** tracing options as written by a user (defaults optional). */
export type TracingConfigInput = z.input<typeof tracingOptionsSchema>;
