import type { Clock, TracingConfig } from '@gopher-mcp/core';

/** The parent a sampling decision sees: the remote or local span context the span would be a child of. */
export interface SamplingParent {
  readonly traceId: string;
  /** Whether the parent was sampled (trace flags bit 0). */
  readonly sampled: boolean;
}

/**
 * Decides, before a span starts, whether an exchange is traced. A dropped exchange gets no span
 * (the tracer is never asked); its trace context still propagates, marked not sampled.
 */
export interface SpanSampler {
  shouldSample(parent: SamplingParent | undefined): boolean;
  /** How the sampler describes itself (for logs and tests). */
  readonly description: string;
}

/** Samples everything. */
export const alwaysSampler: SpanSampler = { shouldSample: () => true, description: 'always' };

/** Samples nothing. */
export const neverSampler: SpanSampler = { shouldSample: () => false, description: 'never' };

/**
 * Samples a fraction `ratio` of exchanges. With a parent, the decision is a function of its trace
 * id (its low 52 bits, where W3C trace context level 2 puts the randomness), so every service with
 * the same ratio keeps or drops the same traces; without one, `random` decides.
 */
export function ratioSampler(ratio: number, random: () => number = Math.random): SpanSampler {
  return {
    description: `ratio(${ratio})`,
    shouldSample(parent) {
      if (ratio >= 1) return true;
      if (ratio <= 0) return false;
      if (parent === undefined) return random() < ratio;
      return Number.parseInt(parent.traceId.slice(-13), 16) / 2 ** 52 < ratio;
    },
  };
}

/** Follows the parent's sampled flag; `root` decides for exchanges without a parent. */
export function parentBasedSampler(root: SpanSampler): SpanSampler {
  return {
    description: `parent(root: ${root.description})`,
    shouldSample: (parent) => (parent === undefined ? root.shouldSample(undefined) : parent.sampled),
  };
}

/**
 * Samples at most `perSecond` exchanges per second of `clock` (a token bucket holding up to one
 * second's worth, starting full), whatever the parent says: a cap on tracing volume.
 */
export function rateLimitedSampler(perSecond: number, clock: Clock): SpanSampler {
  const capacity = Math.max(1, perSecond);
  let tokens = capacity;
  let last = clock.now();
  return {
    description: `rate_limited(${perSecond}/s)`,
    shouldSample() {
      const now = clock.now();
      if (now > last) {
        tokens = Math.min(capacity, tokens + ((now - last) * perSecond) / 1000);
        last = now;
      }
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/** The sampler of a tracing config. */
export function samplerFor(config: TracingConfig['sampler'], clock: Clock, random: () => number): SpanSampler {
  switch (config.type) {
    case 'always':
      return alwaysSampler;
    case 'never':
      return neverSampler;
    case 'ratio':
      return ratioSampler(config.ratio, random);
    case 'parent':
      return parentBasedSampler(config.root === 'always' ? alwaysSampler : neverSampler);
    case 'rate_limited':
      return rateLimitedSampler(config.perSecond, clock);
  }
}
