import type { ExchangeContext, MessageView } from '@gopher-mcp/core';

/**
 * How an exchange ended, as the observability filters report it:
 * - `ok`: a result (or a forwarded notification);
 * - `tool_error`: a `tools/call` result with `isError: true` (a successful JSON-RPC exchange whose
 *   tool failed; `error.type` `tool_error` in the OpenTelemetry MCP conventions);
 * - `error`: an error response that no filter made (the upstream's, a timeout);
 * - `denied`: refused by a filter inside the observing one (`context.denial` says which and why).
 */
export type OutcomeKind = 'ok' | 'tool_error' | 'error' | 'denied';

/** The outcome of one exchange. */
export interface ExchangeOutcome {
  readonly outcome: OutcomeKind;
  /** The JSON-RPC error code of an `error` or `denied` outcome. */
  readonly code: number | undefined;
  /** The name in the chain of the filter that refused the exchange. */
  readonly deniedBy: string | undefined;
  /** The error message of the error response, when there is one. */
  readonly errorMessage: string | undefined;
}

const OK: ExchangeOutcome = { outcome: 'ok', code: undefined, deniedBy: undefined, errorMessage: undefined };
const NO_RESPONSE: ExchangeOutcome = { outcome: 'error', code: -32603, deniedBy: undefined, errorMessage: 'the upstream gave no response' };
const TOOL_ERROR: ExchangeOutcome = { outcome: 'tool_error', code: undefined, deniedBy: undefined, errorMessage: undefined };

function isToolError(message: MessageView, response: MessageView): boolean {
  if (message.method !== 'tools/call') return false;
  const result = response.result;
  return typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true;
}

/**
 * The outcome of an exchange from its message, the response an observing filter got back from
 * `next()` (`undefined` for a forwarded notification) and its context. A denial counts when the
 * response is the denying filter's error (same code): a filter that recovered from an inner denial
 * (a retry that then succeeded) reports what the peer got.
 */
export function exchangeOutcome(message: MessageView, response: MessageView | undefined, context: ExchangeContext): ExchangeOutcome {
  const denial = context.denial;
  if (response === undefined) {
    if (denial !== undefined && message.kind === 'notification') {
      return { outcome: 'denied', code: denial.code, deniedBy: denial.filter, errorMessage: undefined };
    }
    // A request the upstream left unanswered: the chain answers it with -32603.
    if (message.kind === 'request') return NO_RESPONSE;
    return OK;
  }
  if (response.kind === 'error') {
    const error = response.error;
    const code = error?.code;
    if (denial !== undefined && (code === undefined || code === denial.code)) {
      return { outcome: 'denied', code: denial.code, deniedBy: denial.filter, errorMessage: error?.message };
    }
    return { outcome: 'error', code, deniedBy: undefined, errorMessage: error?.message };
  }
  if (response.kind === 'result' && isToolError(message, response)) return TOOL_ERROR;
  return OK;
}

/** True for outcomes that are failures (always logged, `error.type` set, span status ERROR). */
export function isFailure(outcome: OutcomeKind): boolean {
  return outcome !== 'ok';
}
