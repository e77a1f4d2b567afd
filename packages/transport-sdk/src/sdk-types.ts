/**
 * The structural shape of the official MCP TypeScript SDK's `Transport`, written out here so this
 * package works with both SDK lines (`@modelcontextprotocol/sdk` 1.x and the 2.x packages
 * `@modelcontextprotocol/{core,client,server}`) without importing either at run time. Every SDK
 * transport (stdio, Streamable HTTP, SSE, in-memory, WebSocket, of either line) satisfies
 * {@link SdkTransport}, and a {@link GopherTransport} satisfies each line's `Transport`.
 */
import type { JsonRpcId, JsonRpcMessage } from '@gopher-mcp/core';

/**
 * A JSON-RPC message as the SDK types it: mutually assignable with the `JSONRPCMessage` of both
 * SDK lines. (Core's `JsonRpcMessage` is wider: it allows array params and null ids; the decorator
 * checks the shape at run time, as the SDK does.)
 */
export type SdkJsonRpcMessage =
  | { jsonrpc: '2.0'; id: JsonRpcId; method: string; params?: { [key: string]: unknown } }
  | { jsonrpc: '2.0'; method: string; params?: { [key: string]: unknown } }
  | { jsonrpc: '2.0'; id: JsonRpcId; result: { [key: string]: unknown } }
  | { jsonrpc: '2.0'; id?: JsonRpcId; error: { code: number; message: string; data?: unknown } };

/** HTTP headers as the 1.x SDK hands them over (`IsomorphicHeaders`). */
export type SdkIsomorphicHeaders = Record<string, string | string[] | undefined>;

/** The part of a Fetch `Headers` object this package reads (the 2.x SDK hands over a `Request`). */
export interface SdkHeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
}

/** Information about the HTTP request a message arrived in (1.x: `extra.requestInfo`). */
export interface SdkRequestInfo {
  headers: SdkIsomorphicHeaders;
  url?: URL;
}

/** Authentication information a server transport attaches to a message (both lines). */
export interface SdkAuthInfo {
  /** The access token: kept in memory for the filters, never logged or copied into a principal. */
  token: string;
  clientId: string;
  scopes: string[];
  /** Expiry in seconds since the epoch. */
  expiresAt?: number;
  resource?: URL;
  extra?: Record<string, unknown>;
}

/**
 * What a transport hands over with an inbound message (the SDK's `MessageExtraInfo`): the 1.x line
 * puts the HTTP request's headers in `requestInfo`, the 2.x line hands over the Fetch `request`
 * itself. The decorator forwards the object untouched.
 */
export interface SdkMessageExtraInfo {
  /** 1.x: headers and URL of the HTTP request. */
  requestInfo?: SdkRequestInfo;
  /** 2.x: the HTTP request itself. */
  request?: { readonly headers: SdkHeadersLike; readonly url?: string };
  authInfo?: SdkAuthInfo;
  /** 2.x: the edge classification of the message's protocol era. */
  classification?: { era: 'legacy' | 'modern'; revision?: string };
  closeSSEStream?: () => void;
  closeStandaloneSSEStream?: () => void;
}

/**
 * Options of `Transport.send` (the SDK's `TransportSendOptions`, both lines). The decorator passes
 * the caller's object to the inner transport untouched, so fields it does not know (1.x in-memory
 * `authInfo`, future fields) survive too.
 */
export interface SdkSendOptions {
  relatedRequestId?: JsonRpcId | undefined;
  resumptionToken?: string | undefined;
  onresumptiontoken?: ((token: string) => void) | undefined;
  /** 2.x: aborts this message's own HTTP request (per-request stream transports). */
  requestSignal?: AbortSignal | undefined;
  /** 2.x: fired when this message's own response stream ends. */
  onRequestStreamEnd?: (() => void) | undefined;
  /** 2.x: extra HTTP headers for this message's own HTTP request. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * A message callback. Declared through a method so that it is compared bivariantly: the SDK's
 * generic `<T extends JSONRPCMessage>(message: T, extra?) => void` and this one are assignable
 * both ways.
 */
export type SdkMessageHandler = {
  bivarianceHack(message: SdkJsonRpcMessage, extra?: SdkMessageExtraInfo): void;
}['bivarianceHack'];

/** The minimal MCP SDK `Transport` contract both SDK lines satisfy. */
export interface SdkTransport {
  start(): Promise<void>;
  send(message: SdkJsonRpcMessage, options?: SdkSendOptions): Promise<void>;
  close(): Promise<void>;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: SdkMessageHandler | undefined;
  sessionId?: string | undefined;
  setProtocolVersion?: ((version: string) => void) | undefined;
  /** 2.x: the server passes its supported protocol versions to the transport. */
  setSupportedProtocolVersions?: ((versions: string[]) => void) | undefined;
  /** 2.x: true for transports with one HTTP request per outbound request. */
  readonly hasPerRequestStream?: boolean;
}

/** An SDK message as core's type: the same object (core's type is only wider). */
export function fromSdkMessage(message: SdkJsonRpcMessage): JsonRpcMessage {
  return message as JsonRpcMessage;
}

/** A message for the SDK: the same object (MCP params are always objects; a filter that sends other shapes gets what it sent). */
export function toSdkMessage(message: JsonRpcMessage): SdkJsonRpcMessage {
  return message as SdkJsonRpcMessage;
}
