import { z } from 'zod';

import { ConfigError } from '../errors/filter-errors.js';
import { fallbackBehaviorSchema, filterConditionSchema } from './common.js';
import { httpSchema } from './filters/http.js';
import { networkSchema } from './filters/network.js';
import { observabilitySchema } from './filters/observability.js';
import { securitySchema } from './filters/security.js';
import { trafficManagementSchema } from './filters/traffic.js';

/** What to do when a filter fails. */
export const errorHandlingSchema = z.strictObject({
  /** Stop processing a message at the first failing filter (REJECT); false allows the fallback. */
  stopOnError: z.boolean().default(false),
  /** How many times an upstream call is retried by the manager when no retry filter is set. */
  retryAttempts: z.number().int().nonnegative().default(0),
  fallbackBehavior: fallbackBehaviorSchema.default('REJECT'),
  /** The answer of the DEFAULT fallback. */
  defaultResponse: z
    .union([
      z.strictObject({ result: z.record(z.string(), z.unknown()) }),
      z.strictObject({ error: z.strictObject({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }) }),
    ])
    .optional(),
});

/** A custom filter registered by the application under `type`. */
export const customFilterSchema = z.strictObject({
  type: z.string().min(1),
  name: z.string().min(1).optional(),
  enabled: z.boolean().default(true),
  when: filterConditionSchema.optional(),
  fallback: fallbackBehaviorSchema.optional(),
  options: z.unknown().optional(),
  /** Where the filter goes: before or after a named filter, or last (innermost). */
  position: z
    .union([z.literal('first'), z.literal('last'), z.strictObject({ before: z.string() }), z.strictObject({ after: z.string() })])
    .default('last'),
});

/** The whole configuration of a FilterManager (DESIGN section 6). */
export const filterManagerConfigSchema = z.strictObject({
  name: z.string().min(1).default('gopher-mcp'),
  enabled: z.boolean().default(true),
  /** Which engine runs the primitives. */
  engine: z.enum(['auto', 'native', 'js']).default('auto'),
  /** An exchange whose response has not come after this long is answered with 504 and released. */
  exchangeTimeoutMs: z.number().int().positive().default(60_000),
  network: networkSchema.optional(),
  http: httpSchema.optional(),
  security: securitySchema.optional(),
  observability: observabilitySchema.optional(),
  trafficManagement: trafficManagementSchema.optional(),
  errorHandling: errorHandlingSchema.default({ stopOnError: false, retryAttempts: 0, fallbackBehavior: 'REJECT' }),
  customFilters: z.array(customFilterSchema).default([]),
});

/** A validated configuration, defaults filled in. */
export type FilterManagerConfig = z.output<typeof filterManagerConfigSchema>;
/** A configuration as written by a user (defaults optional). */
export type FilterManagerConfigInput = z.input<typeof filterManagerConfigSchema>;

/** Formats zod issues as `path: reason` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): Array<{ path: string; message: string }> {
  return issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Validates `input` against `schema`, throwing a {@link ConfigError} that names each path and reason. */
export function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = formatIssues(result.error.issues);
  throw new ConfigError(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

/** Validates a FilterManager configuration; fails with the path and the reason of every problem. */
export function parseFilterManagerConfig(input: unknown): FilterManagerConfig {
  return parseWithSchema(filterManagerConfigSchema, input, 'FilterManager config');
}
