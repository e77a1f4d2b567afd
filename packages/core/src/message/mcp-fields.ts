import type { JsonRpcMessage } from './jsonrpc.js';

/** The MCP fields policies key on, read from a parsed message. */
export interface McpFields {
  toolName: string | undefined;
  resourceUri: string | undefined;
  promptName: string | undefined;
  progressToken: string | number | undefined;
  traceparent: string | undefined;
  tracestate: string | undefined;
}

const RESOURCE_METHODS = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Reads the MCP fields with the same rules as the envelope scanner. */
export function readMcpFields(message: JsonRpcMessage): McpFields {
  const method = 'method' in message ? message.method : undefined;
  const params = 'params' in message ? asRecord(message.params) : undefined;
  const meta = asRecord(params?._meta);
  const progress = meta?.progressToken;
  return {
    toolName: method === 'tools/call' ? stringOrUndefined(params?.name) : undefined,
    resourceUri: method !== undefined && RESOURCE_METHODS.has(method) ? stringOrUndefined(params?.uri) : undefined,
    promptName: method === 'prompts/get' ? stringOrUndefined(params?.name) : undefined,
    progressToken: typeof progress === 'string' || typeof progress === 'number' ? progress : undefined,
    traceparent: stringOrUndefined(meta?.traceparent),
    tracestate: stringOrUndefined(meta?.tracestate),
  };
}
