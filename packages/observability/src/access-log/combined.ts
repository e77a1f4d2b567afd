import type { ExchangeContext, MessageKind, MessageView } from '@gopher-mcp/core';

import type { ExchangeOutcome, OutcomeKind } from '../outcome.js';
import { ClfTimeCache } from './clf-time.js';
import { LastEscaped } from './escape.js';
import { secondsText } from './seconds.js';

/**
 * The status a combined line shows: 200 for a result (202 for a forwarded notification, as
 * Streamable HTTP answers one), else the error code (429, 403, -32603, ...).
 */
export function combinedStatus(outcome: OutcomeKind, kind: MessageKind, code: number | undefined): number {
  if (outcome === 'ok' || outcome === 'tool_error') return kind === 'notification' ? 202 : 200;
  return code ?? 500;
}

function userAgentOf(context: ExchangeContext): string | undefined {
  const value = context.peer.headers?.['user-agent'];
  return Array.isArray(value) ? (value[0] as string | undefined) : (value as string | undefined);
}

/**
 * `combined`: the Apache / nginx combined format with the MCP method and target as the request
 * line, the principal as the user, the response size as the bytes, and nginx's `$request_time`
 * (seconds) appended:
 * `127.0.0.1 - alice [10/Oct/2000:13:55:36 +0000] "tools/call echo MCP" 200 120 "-" "agent/1.0" 0.012`
 *
 * Written straight from the exchange (no record object), with the date formatted once per second
 * and each field's escaping remembered from the previous line; only the response's size is read
 * (the request's is not printed).
 */
export class CombinedFormatter {
  private readonly time = new ClfTimeCache();
  private readonly host = new LastEscaped('bare');
  private readonly user = new LastEscaped('bare');
  private readonly method = new LastEscaped('quoted');
  private readonly target = new LastEscaped('quoted');
  private readonly agent = new LastEscaped('quoted');

  /** The line of one finished exchange (without the newline). */
  line(message: MessageView, response: MessageView | undefined, context: ExchangeContext, outcome: ExchangeOutcome, durationMs: number): string {
    const kind = message.kind;
    const address = context.peer.address;
    const principal = context.principal;
    const target = message.toolName ?? message.promptName ?? message.resourceUri;
    const agent = userAgentOf(context);
    const bytesOut = response === undefined || kind !== 'request' ? 0 : response.size;
    return (
      `${address === undefined ? '-' : this.host.of(address)} - ${principal === undefined ? '-' : this.user.of(principal.subject)} ` +
      `[${this.time.of(context.startedAt)}] "${this.method.of(message.method ?? kind)} ${target === undefined ? '-' : this.target.of(target)} MCP" ` +
      `${combinedStatus(outcome.outcome, kind, outcome.code)} ${bytesOut} "-" "${agent === undefined ? '-' : this.agent.of(agent)}" ${secondsText(durationMs)}`
    );
  }
}
