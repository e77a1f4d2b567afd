import { systemClock, type Clock } from '@gopher-mcp/core';

/**
 * The time source of durations, in milliseconds: `performance.now()` (sub-millisecond, monotonic)
 * when the chain runs on the system clock, else the injected clock, so tests driven by a
 * ManualClock get exact durations.
 */
export function durationSource(clock: Clock): () => number {
  return clock === systemClock ? () => performance.now() : () => clock.now();
}
