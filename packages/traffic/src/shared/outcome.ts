import type { ExchangeContext, MessageView } from '@gopher-mcp/core';

/** How a call ended, as the circuit breaker and the load balancer count it. */
export type CallOutcome = 'success' | 'failure' | 'ignored';

/**
 * Classifies the response of one call made with `next()`:
 * - `ignored` when a filter inside refused it (`context.denial` appeared during the call: the call
 *   never reached the upstream) or the exchange was cancelled;
 * - `failure` when there is no response, or an error whose code is in `failureCodes`;
 * - `success` otherwise (a result, or an error the upstream answered with that is not a failure,
 *   such as invalid params: the upstream is alive and answering).
 */
export function classifyOutcome(
  response: MessageView | undefined,
  failureCodes: ReadonlySet<number>,
  context: ExchangeContext,
  denialBefore: ExchangeContext['denial'],
): CallOutcome {
  if (context.denial !== undefined && context.denial !== denialBefore) return 'ignored';
  if (context.signal.aborted) return 'ignored';
  if (response === undefined) return 'failure';
  if (response.kind === 'error') {
    const code = response.error?.code;
    return code !== undefined && failureCodes.has(code) ? 'failure' : 'success';
  }
  return 'success';
}

/**
 * Whether `response` is an MCP tool error: the result of a `tools/call` request with `isError: true`
 * (the tool ran and reported a failure). Reads the result only for a `tools/call` result.
 */
export function isToolError(request: MessageView, response: MessageView | undefined): boolean {
  if (response === undefined || response.kind !== 'result' || request.method !== 'tools/call') return false;
  const result = response.result;
  return typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true;
}

/** The `data.retryAfterMs` of an error response, when it carries a usable one. */
export function retryAfterOf(response: MessageView | undefined): number | undefined {
  if (response === undefined || response.kind !== 'error') return undefined;
  const data = response.error?.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
