import { globToRegExp, type Exchange } from '@gopher-mcp/core';

/** A custom cost function: the cost of a request (an integer >= 0), or undefined for the configured one. */
export type CostFunction = (exchange: Exchange) => number | undefined;

/** Works out what a request costs: the runtime function first, then `toolCosts` (exact name, then globs in order), else 1. */
export function compileCost(toolCosts: Readonly<Record<string, number>>, custom: CostFunction | undefined): (exchange: Exchange) => number {
  const exact = new Map<string, number>();
  const globs: Array<readonly [RegExp, number]> = [];
  for (const [pattern, cost] of Object.entries(toolCosts)) {
    if (/[*?]/.test(pattern)) globs.push([globToRegExp(pattern), cost]);
    else exact.set(pattern, cost);
  }
  const fromTools = (exchange: Exchange): number => {
    const tool = exchange.message.toolName;
    if (tool === undefined) return 1;
    const direct = exact.get(tool);
    if (direct !== undefined) return direct;
    for (const [regex, cost] of globs) if (regex.test(tool)) return cost;
    return 1;
  };
  const noTools = exact.size === 0 && globs.length === 0;
  if (custom === undefined) return noTools ? () => 1 : fromTools;
  return (exchange) => {
    const cost = custom(exchange);
    if (cost === undefined) return fromTools(exchange);
    if (!Number.isInteger(cost) || cost < 0 || cost > 4_294_967_295) {
      throw new RangeError(`rate_limit cost function returned ${String(cost)}: a cost is an integer from 0 to 2^32-1`);
    }
    return cost;
  };
}
