import { z } from 'zod';

/** A `when` condition: method globs (`!` excludes), direction, transports, message kinds. */
export const filterConditionSchema = z.strictObject({
  methods: z.array(z.string().min(1)).optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  transports: z.array(z.string().min(1)).optional(),
  kinds: z.array(z.enum(['request', 'notification', 'result', 'error'])).optional(),
});

/** The fallback when a filter throws (DESIGN section 4). */
export const fallbackBehaviorSchema = z.enum(['REJECT', 'PASSTHROUGH', 'DEFAULT']);

/** Fields every filter section shares: on/off, its name in the chain, a condition, a fallback. */
export const filterSectionBase = {
  /** Whether the filter is in the chain (default false: a section is opt-in). */
  enabled: z.boolean().default(false),
  /** Name in the chain (default: the filter type). */
  name: z.string().min(1).optional(),
  /** Run only when this matches. */
  when: filterConditionSchema.optional(),
  /** Override the chain's fallback for this filter (ignored for fail-closed filters). */
  fallback: fallbackBehaviorSchema.optional(),
};

/** A positive duration in milliseconds. */
export const durationMs = () => z.number().int().nonnegative();

/** A host and port. */
export const endpointSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
});
