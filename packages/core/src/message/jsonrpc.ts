/**
 * JSON-RPC 2.0 message types, structurally compatible with the MCP SDK's `JSONRPCMessage`
 * (a value of the SDK's type is assignable to {@link JsonRpcMessage} and back).
 */

/** A request id: a string or a number. */
export type JsonRpcId = string | number;

/** Params of a request or notification. */
export type JsonRpcParams = { [key: string]: unknown } | unknown[];

/** A request: expects a response with the same id. */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: JsonRpcParams;
}

/** A notification: no id, no response. */
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonRpcParams;
}

/** A successful response. */
export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result: { [key: string]: unknown };
}

/** The error object of an error response. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error response; `id` is null only when the request's id could not be read. */
export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}

/** Any JSON-RPC 2.0 message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResultResponse | JsonRpcErrorResponse;

/** A response: a result or an error. */
export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;

/** The four kinds of JSON-RPC message a filter sees. */
export type MessageKind = 'request' | 'notification' | 'result' | 'error';

/** The kind of a parsed message, or undefined when it is not a JSON-RPC 2.0 message object. */
export function messageKindOf(message: unknown): MessageKind | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return undefined;
  if (typeof m.method === 'string') return 'id' in m && m.id !== undefined ? 'request' : 'notification';
  if ('result' in m) return 'result';
  if ('error' in m) return 'error';
  return undefined;
}

/** Builds an error response. */
export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcErrorResponse {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}
