import { ObjectMessageView, type JsonRpcMessage, type MessageView } from '@gopher-mcp/core';

/**
 * A copy of `message` (a request or notification) whose `params._meta` carries `fields`
 * (`traceparent`, `tracestate`, ...), replacing those keys and keeping the rest of `_meta`;
 * `params` is created when absent. Undefined when the message cannot carry `_meta` (positional
 * params, or a response).
 */
export function withMetaFields(message: MessageView, fields: Readonly<Record<string, string>>): MessageView | undefined {
  if (message.kind !== 'request' && message.kind !== 'notification') return undefined;
  const original = message.message as JsonRpcMessage & { params?: unknown };
  const params = original.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return undefined;
  const oldParams = (params ?? {}) as Record<string, unknown>;
  const oldMeta = oldParams._meta;
  const meta = typeof oldMeta === 'object' && oldMeta !== null && !Array.isArray(oldMeta) ? (oldMeta as Record<string, unknown>) : {};
  return new ObjectMessageView({ ...original, params: { ...oldParams, _meta: { ...meta, ...fields } } } as JsonRpcMessage);
}
