import { performance } from 'node:perf_hooks';

import { systemClock, type Clock, type PhasedExchange } from '@gopher-mcp/core';

/** `performance.now()` read through the module's binding: the global `performance` is a getter in Node. */
const monotonic = (): number => performance.now();

/** Where a phased filter reads the start and end of the exchange it times, in milliseconds. */
export interface ExchangeTimer {
  /** In the request phase: when it started. */
  start(exchange: PhasedExchange): number;
  /** In the response phase: when it started. */
  end(exchange: PhasedExchange): number;
}

/** On the system clock: the chain's own monotonic readings, shared by the filters of a run. */
const chainReadings: ExchangeTimer = {
  start: (exchange) => exchange.requestPhaseAt,
  end: (exchange) => (Number.isNaN(exchange.responsePhaseAt) ? monotonic() : exchange.responsePhaseAt),
};

/**
 * The time source of durations: the chain's `performance.now()` readings (sub-millisecond,
 * monotonic, read once per run of phased filters rather than by each filter) when the chain runs
 * on the system clock, else the injected clock, so tests driven by a ManualClock get exact durations.
 */
export function exchangeTimer(clock: Clock): ExchangeTimer {
  if (clock === systemClock) return chainReadings;
  const read = (): number => clock.now();
  return { start: read, end: read };
}
