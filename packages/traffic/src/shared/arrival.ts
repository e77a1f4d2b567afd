import type { Clock, ExchangeContext } from '@gopher-mcp/core';

/**
 * When the exchange entered the chain, on `clock`: `context.startedAt` when the exchange runs on
 * that clock (no clock read: each costs tens of ns), else a reading of `clock`.
 */
export function arrivalTime(context: ExchangeContext, clock: Clock): number {
  return context.clock === clock ? context.startedAt : clock.now();
}
