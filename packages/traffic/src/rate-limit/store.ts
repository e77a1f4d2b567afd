import type { RateLimitRule } from '@gopher-mcp/core';

/** A limit as a store runs it. */
export interface StoreLimit {
  readonly name: string;
  readonly algorithm: RateLimitRule['algorithm'];
  /** Units per `windowMs` (window limit, or the buckets' rate). */
  readonly limit: number;
  readonly windowMs: number;
  /** Bucket capacity (the burst); equals `limit` for windows. */
  readonly capacity: number;
}

/** One limit to charge for a request: the limit's index in the store's limits and the key. */
export interface Charge {
  readonly index: number;
  readonly key: string;
}

/** A store's decision on a set of charges, made all together or not at all. */
export interface StoreDecision {
  readonly allowed: boolean;
  /**
   * Position in the charges of the limit that decided: when denied, the one with the longest wait
   * (a limit the cost can never fit first); when allowed, the one with the fewest units left.
   */
  readonly binding: number;
  /** Units left in the binding limit. */
  readonly remaining: number;
  /** 0 when allowed; the wait in ms of the binding limit when denied; -1 when the cost never fits. */
  readonly retryAfterMs: number;
}

/** Where rate-limit counts live. */
export interface RateLimitStore {
  /**
   * Charges `cost` to every charge's limit and key when all of them allow it, else to none.
   * Resolves with undefined when the store cannot decide (unreachable).
   */
  decide(charges: readonly Charge[], cost: number, nowMs: number): StoreDecision | Promise<StoreDecision | undefined>;
  close(): void | Promise<void>;
}

/** Folds per-charge results into one decision (see {@link StoreDecision.binding}). */
export function combineDecisions(results: ReadonlyArray<{ readonly allowed: boolean; readonly remaining: number; readonly retryAfterMs: number }>): StoreDecision {
  let binding = -1;
  let allowed = true;
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as (typeof results)[number];
    if (!r.allowed) {
      if (allowed) {
        allowed = false;
        binding = i;
        continue;
      }
      const current = results[binding] as (typeof results)[number];
      if (current.retryAfterMs !== -1 && (r.retryAfterMs === -1 || r.retryAfterMs > current.retryAfterMs)) binding = i;
    } else if (allowed && (binding < 0 || r.remaining < (results[binding] as (typeof results)[number]).remaining)) {
      binding = i;
    }
  }
  const chosen = results[binding] as (typeof results)[number];
  return { allowed, binding, remaining: chosen.remaining, retryAfterMs: allowed ? 0 : chosen.retryAfterMs };
}
