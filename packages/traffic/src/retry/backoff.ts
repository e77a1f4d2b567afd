import type { RandomSource } from '../shared/random.js';

/** The backoff settings of the retry filter. */
export interface BackoffSettings {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: 'full' | 'none';
}

/**
 * The wait before retry number `retry` (1 for the first retry): exponential backoff capped at
 * `maxDelayMs`, cap = min(maxDelayMs, initialDelayMs * multiplier^(retry-1)); with full jitter a
 * uniform draw in [0, cap) (`floor(random() * cap)`), else the cap itself. Whole milliseconds.
 */
export function backoffDelay(settings: BackoffSettings, retry: number, random: RandomSource): number {
  const cap = Math.min(settings.maxDelayMs, settings.initialDelayMs * settings.multiplier ** (retry - 1));
  return settings.jitter === 'full' ? Math.floor(random() * cap) : Math.floor(cap);
}
