import { z } from 'zod';

import { durationMs, filterSectionBase } from '../common.js';

/** What a rate limit is keyed on; several parts make a compound key (per user x tool). */
export const rateLimitKeyPartSchema = z.union([
  z.enum(['client_address', 'subject', 'session', 'method', 'tool', 'global']),
  z.strictObject({ header: z.string().min(1) }),
]);

/** One limit of a rate_limit filter. */
export const rateLimitRuleSchema = z.strictObject({
  /** Name reported in 429 errors (`data.limit`). */
  name: z.string().min(1),
  algorithm: z.enum(['token_bucket', 'sliding_window', 'fixed_window', 'leaky_bucket']).default('token_bucket'),
  /** Bucket capacity / requests per window. */
  limit: z.number().positive(),
  /** Window length for window algorithms; refill period for buckets (limit per windowMs). */
  windowMs: z.number().int().positive().default(1000),
  key: z.union([rateLimitKeyPartSchema, z.array(rateLimitKeyPartSchema).min(1)]).default('subject'),
  /** Only charge this limit for these method globs (default: every method). */
  methods: z.array(z.string().min(1)).optional(),
});

/** Options of the rate_limit filter. */
export const rateLimitOptionsSchema = z.strictObject({
  ...filterSectionBase,
  limits: z.array(rateLimitRuleSchema).min(1),
  /** Cost of one request by tool name (default 1). */
  toolCosts: z.record(z.string(), z.number().positive()).default({}),
  /** Method globs never limited. */
  exemptMethods: z.array(z.string().min(1)).default(['initialize', 'ping', 'notifications/initialized']),
  store: z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('memory'),
        maxKeys: z.number().int().positive().default(100_000),
        idleTimeoutMs: durationMs().default(600_000),
      }),
      z.strictObject({
        type: z.literal('redis'),
        url: z.string().min(1).optional(),
        keyPrefix: z.string().default('gmcp:rl:'),
        failMode: z.enum(['open', 'closed']).default('open'),
        timeoutMs: durationMs().default(250),
      }),
    ])
    .default({ type: 'memory', maxKeys: 100_000, idleTimeoutMs: 600_000 }),
});

/** Options of the circuit_breaker filter. */
export const circuitBreakerOptionsSchema = z.strictObject({
  ...filterSectionBase,
  /** What a circuit is per: the upstream target, the tool, the method. */
  key: z.enum(['upstream', 'tool', 'method']).default('upstream'),
  consecutiveFailures: z.number().int().positive().default(5),
  /** Trip when the failure ratio over the rolling window reaches this (0..1). */
  errorRateThreshold: z.number().min(0).max(1).default(0.5),
  minimumRequests: z.number().int().positive().default(20),
  windowMs: durationMs().default(10_000),
  /** A call slower than this counts as slow. */
  slowCallMs: durationMs().optional(),
  slowCallRateThreshold: z.number().min(0).max(1).default(1),
  /** How long the circuit stays open before letting probes through. */
  openMs: durationMs().default(30_000),
  halfOpenProbes: z.number().int().positive().default(1),
  /** JSON-RPC error codes that count as failures (default: server-side errors and timeouts). */
  failureCodes: z.array(z.number().int()).default([-32603, 503, 504]),
});

/** Options of the retry filter. */
export const retryOptionsSchema = z.strictObject({
  ...filterSectionBase,
  maxAttempts: z.number().int().min(1).default(3),
  initialDelayMs: durationMs().default(100),
  maxDelayMs: durationMs().default(5_000),
  multiplier: z.number().min(1).default(2),
  /** Overall deadline for all attempts. */
  deadlineMs: durationMs().default(30_000),
  retryableCodes: z.array(z.number().int()).default([503, 504]),
  /** Methods safe to repeat (globs). */
  safeMethods: z
    .array(z.string().min(1))
    .default(['ping', 'tools/list', 'prompts/list', 'prompts/get', 'resources/list', 'resources/templates/list', 'resources/read']),
  /** Tools declared idempotent: their `tools/call` may be retried. */
  idempotentTools: z.array(z.string().min(1)).default([]),
});

/** Options of the load_balancer filter. */
export const loadBalancerOptionsSchema = z.strictObject({
  ...filterSectionBase,
  strategy: z
    .enum(['round_robin', 'weighted_round_robin', 'least_outstanding', 'p2c_ewma', 'consistent_hash'])
    .default('round_robin'),
  hashKey: z.union([z.enum(['session', 'subject']), z.strictObject({ header: z.string().min(1) })]).default('session'),
  targets: z
    .array(z.strictObject({ id: z.string().min(1), url: z.string().optional(), weight: z.number().int().positive().default(1) }))
    .min(1),
  stickySessions: z.boolean().default(true),
  healthCheck: z
    .strictObject({
      intervalMs: durationMs().default(10_000),
      timeoutMs: durationMs().default(2_000),
      unhealthyThreshold: z.number().int().positive().default(2),
      healthyThreshold: z.number().int().positive().default(1),
    })
    .optional(),
  outlierDetection: z
    .strictObject({
      consecutiveFailures: z.number().int().positive().default(5),
      ejectionMs: durationMs().default(30_000),
      maxEjectionPercent: z.number().min(0).max(100).default(50),
    })
    .optional(),
});

/** The `trafficManagement` section. */
export const trafficManagementSchema = z.strictObject({
  rateLimit: rateLimitOptionsSchema.optional(),
  circuitBreaker: circuitBreakerOptionsSchema.optional(),
  retry: retryOptionsSchema.optional(),
  loadBalancer: loadBalancerOptionsSchema.optional(),
});
