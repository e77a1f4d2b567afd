import { z } from 'zod';

import { durationMs, filterSectionBase } from '../common.js';

/** A custom part of a key, resolved by a function of that name given to the factory (`keyFunctions`). */
const customKeyPartSchema = z.strictObject({
  /** Name of a function in the factory's runtime `keyFunctions` option. */
  custom: z.string().min(1),
});

/**
 * What a rate limit is keyed on: the client address, the authenticated subject, the MCP session,
 * the method, the tool name, a header (lower-cased name), a custom function, or `global` (one
 * bucket for everything). Several parts make a compound key (per user x tool).
 */
export const rateLimitKeyPartSchema = z.union([
  z.enum(['client_address', 'subject', 'session', 'method', 'tool', 'global']),
  z.strictObject({ header: z.string().min(1) }),
  customKeyPartSchema,
]);

/** Largest limit and cost the rate-limit tables hold (2^32 - 1). */
const MAX_UNITS = 4_294_967_295;

/** True when a rule's limit and window passed their own checks (cross-field checks only run then). */
function validNumbers(rule: { limit: unknown; windowMs: unknown; algorithm: unknown }): boolean {
  return typeof rule.limit === 'number' && rule.limit >= 1 && typeof rule.windowMs === 'number' && rule.windowMs >= 1 && typeof rule.algorithm === 'string';
}

/** One limit of a rate_limit filter. */
export const rateLimitRuleSchema = z
  .strictObject({
    /** Name reported in 429 errors (`data.limit`); unique within the filter. */
    name: z.string().min(1),
    /** Default `token_bucket`. */
    algorithm: z.enum(['token_bucket', 'sliding_window', 'fixed_window', 'leaky_bucket']).default('token_bucket'),
    /** Requests (cost units) allowed per `windowMs`: the window's limit, or the buckets' refill / leak rate. An integer. */
    limit: z.number().int().min(1).max(MAX_UNITS),
    /** Window length of the window algorithms; the period of the buckets' rate (`limit` per `windowMs`). Default 1000. */
    windowMs: z.number().int().positive().max(2 ** 40).default(1000),
    /** Capacity of a token or leaky bucket (the burst it absorbs); default `limit`. Ignored by windows. */
    burst: z.number().int().min(1).max(MAX_UNITS).optional(),
    /** What the limit is per; an array is a compound key. Default `subject`. */
    key: z.union([rateLimitKeyPartSchema, z.array(rateLimitKeyPartSchema).min(1)]).default('subject'),
    /**
     * Only charge this limit for these method globs (default: every method that is not exempt;
     * a limit whose key includes `tool` defaults to `['tools/call']`).
     */
    methods: z.array(z.string().min(1)).optional(),
    /**
     * When a key part cannot be read (no principal, no header, ...): `shared` charges one bucket
     * shared by every such request (default), `skip` does not apply the limit to it.
     */
    missingKey: z.enum(['shared', 'skip']).default('shared'),
  })
  .refine((rule) => !validNumbers(rule) || rule.algorithm.endsWith('bucket') || rule.limit * rule.windowMs <= 2 ** 52, {
    message: 'limit * windowMs must not exceed 2^52',
    path: ['windowMs'],
  })
  .refine((rule) => !validNumbers(rule) || !rule.algorithm.endsWith('bucket') || (rule.limit * 1000) / rule.windowMs >= 1e-9, {
    message: 'a bucket must refill or drain at least 1e-9 units per second (limit * 1000 / windowMs)',
    path: ['windowMs'],
  });

/** The in-process store: the engine's rate-limit tables (native, or the JS twin). */
export const memoryRateLimitStoreSchema = z.strictObject({
  type: z.literal('memory'),
  /** Most keys held per limit; a new key into a full table evicts the least recently used (default 100000). */
  maxKeys: z.number().int().positive().max(2 ** 28).default(100_000),
  /**
   * Keys untouched this long are evicted. Default: the algorithm's own idle time (a full bucket,
   * an empty meter, a past window), after which evicting a key never changes a decision.
   */
  idleTimeoutMs: durationMs().optional(),
  /** How often idle keys are swept (default 60000; 0 sweeps only lazily, on use). */
  pruneIntervalMs: durationMs().default(60_000),
});

/** The Redis store: quotas shared by every process using the same Redis and key prefix. */
export const redisRateLimitStoreSchema = z.strictObject({
  type: z.literal('redis'),
  /** `redis://` URL of the server (or pass an ioredis client as the factory's `redis` option). */
  url: z.string().min(1).optional(),
  /** Prefix of every key (default `gmcp:rl:`); processes that share a quota use the same one. */
  keyPrefix: z.string().default('gmcp:rl:'),
  /** Store Redis keys as SHA-256 of the rate-limit key, so identities never appear in Redis (default true). */
  hashKeys: z.boolean().default(true),
  /** What happens while Redis is unreachable: `open` allows (within the insurance limit), `closed` denies with 503 (default `open`). */
  failMode: z.enum(['open', 'closed']).default('open'),
  /** A decision Redis has not answered in this long counts as Redis being down (default 250). */
  timeoutMs: durationMs().default(250),
  /** After a failure, Redis is tried again only after this long; decisions meanwhile use the fail mode (default 1000). */
  recheckMs: durationMs().default(1000),
  /**
   * The local insurance limiter applied while Redis is down and `failMode` is `open`: the same
   * limits, each divided by `divisor` (e.g. the number of processes sharing the quota), kept in
   * process. Default enabled with divisor 1.
   */
  insurance: z
    .strictObject({
      enabled: z.boolean().default(true),
      divisor: z.number().int().min(1).default(1),
    })
    .default({ enabled: true, divisor: 1 }),
});

/** Options of the rate_limit filter. */
export const rateLimitOptionsSchema = z
  .strictObject({
    ...filterSectionBase,
    /** The limits; a request is charged to every limit that applies, all together or not at all. */
    limits: z.array(rateLimitRuleSchema).min(1),
    /** Cost of a `tools/call` by tool name glob (first match wins; default cost 1). */
    toolCosts: z.record(z.string(), z.number().int().min(0).max(MAX_UNITS)).default({}),
    /** Method globs never limited (default: initialize, ping, notifications/initialized, notifications/cancelled). */
    exemptMethods: z
      .array(z.string().min(1))
      .default(['initialize', 'ping', 'notifications/initialized', 'notifications/cancelled']),
    /** Where the counts live (default: the in-process store). */
    store: z
      .discriminatedUnion('type', [memoryRateLimitStoreSchema, redisRateLimitStoreSchema])
      .default({ type: 'memory', maxKeys: 100_000, pruneIntervalMs: 60_000 }),
  })
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.limits.forEach((rule, index) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', message: `duplicate limit name "${rule.name}"`, path: ['limits', index, 'name'] });
      seen.add(rule.name);
    });
  });

/** The key of a circuit: the upstream target, the tool, the method, or a custom function. */
export const circuitKeySchema = z.union([z.enum(['upstream', 'tool', 'method']), customKeyPartSchema]);

/** Options of the circuit_breaker filter. */
export const circuitBreakerOptionsSchema = z.strictObject({
  ...filterSectionBase,
  /** What a circuit is per (default `upstream`: the target a load balancer chose, see the traffic README). */
  key: circuitKeySchema.default('upstream'),
  /** Trip after this many failures in a row (default 5). */
  consecutiveFailures: z.number().int().positive().default(5),
  /** Trip when the failure ratio over the rolling window reaches this, 0..1 (default 0.5). */
  errorRateThreshold: z.number().min(0).max(1).default(0.5),
  /** Calls in the window before the rates may trip the circuit (default 20). */
  minimumRequests: z.number().int().positive().default(20),
  /** Length of the rolling window (default 10000). */
  windowMs: z.number().int().positive().default(10_000),
  /** Buckets the rolling window is kept in (default 10). */
  windowBuckets: z.number().int().min(1).max(1000).default(10),
  /** A call that takes this long or longer counts as slow (default: slow calls are not tracked). */
  slowCallMs: durationMs().optional(),
  /** Trip when the slow-call ratio over the window reaches this, 0..1 (default 1). */
  slowCallRateThreshold: z.number().min(0).max(1).default(1),
  /** How long the circuit stays open before letting probes through (default 30000). */
  openMs: durationMs().default(30_000),
  /** Probes let through when half-open; all must succeed to close (default 1). */
  halfOpenProbes: z.number().int().positive().default(1),
  /** JSON-RPC error codes that count as failures (default: internal error, 503, 504). */
  failureCodes: z.array(z.number().int()).default([-32603, 503, 504]),
  /**
   * Also count MCP tool errors as failures: a `tools/call` result with `isError: true` (the tool ran
   * and reported an error; default false: such a result is a success, the upstream answered).
   */
  countToolErrors: z.boolean().default(false),
  /** Most circuits kept (per tool / custom key); the least recently used closed one is dropped (default 10000). */
  maxCircuits: z.number().int().positive().default(10_000),
});

/** Options of the retry filter. */
export const retryOptionsSchema = z.strictObject({
  ...filterSectionBase,
  /** Attempts in all, the first included (default 3). */
  maxAttempts: z.number().int().min(1).default(3),
  /** Backoff cap before jitter of the first retry (default 100). */
  initialDelayMs: durationMs().default(100),
  /** Largest backoff cap (default 5000). */
  maxDelayMs: durationMs().default(5_000),
  /** Growth of the backoff cap per retry (default 2). */
  multiplier: z.number().min(1).default(2),
  /** `full` jitter waits random() * cap (default); `none` waits the cap. */
  jitter: z.enum(['full', 'none']).default('full'),
  /** Overall deadline for all attempts and waits, from the exchange's start (default 30000). */
  deadlineMs: durationMs().default(30_000),
  /** An attempt with no response after this long is abandoned and counts as a timeout (default: no per-attempt timeout). */
  attemptTimeoutMs: durationMs().optional(),
  /** Error codes worth another attempt (default 503, 504). */
  retryableCodes: z.array(z.number().int()).default([503, 504]),
  /** Wait at least an error's `data.retryAfterMs` before the next attempt (default true). */
  respectRetryAfter: z.boolean().default(true),
  /** Methods safe to repeat (globs). `tools/call` is retried only for idempotent tools. */
  safeMethods: z
    .array(z.string().min(1))
    .default(['ping', 'tools/list', 'prompts/list', 'prompts/get', 'resources/list', 'resources/templates/list', 'resources/read']),
  /** Tools (globs) declared idempotent: their `tools/call` may be retried. */
  idempotentTools: z.array(z.string().min(1)).default([]),
  /**
   * Also treat as idempotent the tools a `tools/list` result passing through this filter marks
   * `readOnlyHint` or `idempotentHint` (annotations are the server's word: default false).
   */
  trustToolAnnotations: z.boolean().default(false),
});

/** What consistent hashing hashes: the session, the subject, a header, or a custom function. */
export const loadBalancerHashKeySchema = z.union([
  z.enum(['session', 'subject']),
  z.strictObject({ header: z.string().min(1) }),
  customKeyPartSchema,
]);

/** Options of the load_balancer filter. */
export const loadBalancerOptionsSchema = z
  .strictObject({
    ...filterSectionBase,
    /** How a target is chosen (default `round_robin`). */
    strategy: z
      .enum(['round_robin', 'weighted_round_robin', 'least_outstanding', 'p2c_ewma', 'consistent_hash'])
      .default('round_robin'),
    /** What `consistent_hash` hashes (default `session`; requests without one fall back to round robin). */
    hashKey: loadBalancerHashKeySchema.default('session'),
    /** Points per weight unit on the consistent-hash ring (default 160). */
    virtualNodes: z.number().int().min(1).max(10_000).default(160),
    /** The upstream targets; `id` is what the terminal reads from the `gopher.upstream` attribute. */
    targets: z
      .array(z.strictObject({ id: z.string().min(1), url: z.string().optional(), weight: z.number().int().positive().default(1) }))
      .min(1),
    /** Keep a session on the target it first went to while that target is available (default true). */
    stickySessions: z.boolean().default(true),
    /** Most sessions remembered for stickiness; the least recently used is forgotten (default 100000). */
    maxSessions: z.number().int().positive().default(100_000),
    /** Time constant of the latency EWMA of `p2c_ewma` (default 10000). */
    ewmaDecayMs: z.number().int().positive().default(10_000),
    /** Error codes that count as a target failure for outlier detection (default: internal error, 503, 504). */
    failureCodes: z.array(z.number().int()).default([-32603, 503, 504]),
    /** Active health checks: an MCP `ping` per target through the factory's `ping` function. */
    healthCheck: z
      .strictObject({
        /** Default 10000. */
        intervalMs: z.number().int().positive().default(10_000),
        /** A ping slower than this fails (default 2000). */
        timeoutMs: z.number().int().positive().default(2_000),
        /** Failed pings in a row that make a target unhealthy (default 2). */
        unhealthyThreshold: z.number().int().positive().default(2),
        /** Good pings in a row that make it healthy again (default 1). */
        healthyThreshold: z.number().int().positive().default(1),
      })
      .optional(),
    /** Passive outlier ejection: a target failing in a row is taken out for a cool-off. */
    outlierDetection: z
      .strictObject({
        /** Failures in a row that eject a target (default 5). */
        consecutiveFailures: z.number().int().positive().default(5),
        /** Cool-off of the first ejection; each further ejection of the same target lasts one more (default 30000). */
        ejectionMs: z.number().int().positive().default(30_000),
        /** Longest cool-off (default 300000). */
        maxEjectionMs: z.number().int().positive().default(300_000),
        /** Never eject more than this percentage of the targets, at least one (default 50). */
        maxEjectionPercent: z.number().min(0).max(100).default(50),
      })
      .optional(),
  })
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.targets.forEach((target, index) => {
      if (seen.has(target.id)) ctx.addIssue({ code: 'custom', message: `duplicate target id "${target.id}"`, path: ['targets', index, 'id'] });
      seen.add(target.id);
    });
  });

/** The `trafficManagement` section. */
export const trafficManagementSchema = z.strictObject({
  rateLimit: rateLimitOptionsSchema.optional(),
  circuitBreaker: circuitBreakerOptionsSchema.optional(),
  retry: retryOptionsSchema.optional(),
  loadBalancer: loadBalancerOptionsSchema.optional(),
});

/** rate_limit options as written (defaults optional). */
export type RateLimitConfigInput = z.input<typeof rateLimitOptionsSchema>;
/** rate_limit options after validation (defaults filled in). */
export type RateLimitConfig = z.output<typeof rateLimitOptionsSchema>;
/** One limit as written. */
export type RateLimitRuleInput = z.input<typeof rateLimitRuleSchema>;
/** One limit after validation. */
export type RateLimitRule = z.output<typeof rateLimitRuleSchema>;
/** A part of a rate-limit key. */
export type RateLimitKeyPart = z.output<typeof rateLimitKeyPartSchema>;
/** circuit_breaker options as written. */
export type CircuitBreakerConfigInput = z.input<typeof circuitBreakerOptionsSchema>;
/** circuit_breaker options after validation. */
export type CircuitBreakerConfig = z.output<typeof circuitBreakerOptionsSchema>;
/** retry options as written. */
export type RetryConfigInput = z.input<typeof retryOptionsSchema>;
/** retry options after validation. */
export type RetryConfig = z.output<typeof retryOptionsSchema>;
/** load_balancer options as written. */
export type LoadBalancerConfigInput = z.input<typeof loadBalancerOptionsSchema>;
/** load_balancer options after validation. */
export type LoadBalancerConfig = z.output<typeof loadBalancerOptionsSchema>;
