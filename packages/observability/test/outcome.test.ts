import { createExchangeContext, ObjectMessageView, type JsonRpcMessage } from '@gopher-mcp/core';
import { describe, expect, it } from 'vitest';

import { exchangeOutcome } from '../src/index.js';
import { errorResponse, notification, request, result, toolCall } from './helpers.js';

const view = (m: JsonRpcMessage) => new ObjectMessageView(m);
const outcomeOf = (message: JsonRpcMessage, response: JsonRpcMessage | undefined, denial?: { filter: string; code: number }) => {
  const context = createExchangeContext();
  context.denial = denial;
  return exchangeOutcome(view(message), response === undefined ? undefined : view(response), context);
};

describe('exchangeOutcome', () => {
  it('tells ok, tool_error, error and denied apart', () => {
    expect(outcomeOf(toolCall(1, 'a'), result(1, { content: [] }))).toEqual({ outcome: 'ok', code: undefined, deniedBy: undefined, errorMessage: undefined });
    expect(outcomeOf(toolCall(1, 'a'), result(1, { content: [], isError: true })).outcome).toBe('tool_error');
    expect(outcomeOf(request(1, 'x/y'), result(1, { isError: true })).outcome).toBe('ok'); // isError means something only for tools/call
    expect(outcomeOf(toolCall(1, 'a'), errorResponse(1, -32002, 'nope'))).toEqual({ outcome: 'error', code: -32002, deniedBy: undefined, errorMessage: 'nope' });
    expect(outcomeOf(toolCall(1, 'a'), errorResponse(1, 429, 'slow'), { filter: 'rl', code: 429 })).toEqual({ outcome: 'denied', code: 429, deniedBy: 'rl', errorMessage: 'slow' });
  });

  it('reports what the peer got when a filter recovered from an inner denial, or a different error followed', () => {
    expect(outcomeOf(toolCall(1, 'a'), result(1, {}), { filter: 'cb', code: 503 }).outcome).toBe('ok');
    expect(outcomeOf(toolCall(1, 'a'), errorResponse(1, 504, 'timeout'), { filter: 'cb', code: 503 })).toMatchObject({ outcome: 'error', code: 504, deniedBy: undefined });
  });

  it('a notification is ok once forwarded, denied when refused; an unanswered request is an error', () => {
    expect(outcomeOf(notification('n/x'), undefined).outcome).toBe('ok');
    expect(outcomeOf(notification('n/x'), undefined, { filter: 'authz', code: 403 })).toMatchObject({ outcome: 'denied', code: 403, deniedBy: 'authz' });
    expect(outcomeOf(notification('n/x'), errorResponse(1, 403, 'no'), { filter: 'authz', code: 403 })).toMatchObject({ outcome: 'denied', code: 403 });
    expect(outcomeOf(request(1, 'ping'), undefined)).toMatchObject({ outcome: 'error', code: -32603 });
  });
});
