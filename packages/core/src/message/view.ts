import type { JsonRpcErrorObject, JsonRpcId, JsonRpcMessage, MessageKind } from './jsonrpc.js';

/**
 * What filters see of a message. Built from bytes (the engine's envelope scanner reads the fields
 * without parsing the body; `params`/`result`/`message` parse on first use) or around an object a
 * transport already parsed. The accessors are the same either way; filters never care which.
 */
export interface MessageView {
  /** request / notification / result / error. */
  readonly kind: MessageKind;
  /** The JSON-RPC id; undefined for notifications, null for an error response without one. */
  readonly id: JsonRpcId | null | undefined;
  /** The method of a request or notification. */
  readonly method: string | undefined;
  /** `params.name` of a `tools/call` request. */
  readonly toolName: string | undefined;
  /** `params.uri` of `resources/read`, `resources/subscribe`, `resources/unsubscribe`. */
  readonly resourceUri: string | undefined;
  /** `params.name` of a `prompts/get` request. */
  readonly promptName: string | undefined;
  /** `params._meta.progressToken`. */
  readonly progressToken: string | number | undefined;
  /** `params._meta.traceparent` (W3C trace context carried in MCP `_meta`). */
  readonly traceparent: string | undefined;
  /** `params._meta.tracestate`. */
  readonly tracestate: string | undefined;
  /** The error object of an error response. */
  readonly error: JsonRpcErrorObject | undefined;
  /** Size in bytes of the serialised message (computed on first use for object-backed views). */
  readonly size: number;
  /** `params`, parsed on first use. */
  readonly params: unknown;
  /** `result`, parsed on first use. */
  readonly result: unknown;
  /** The whole message, parsed on first use. Treat it as read-only: use `withMessage` to change it. */
  readonly message: JsonRpcMessage;
  /** The serialised message (UTF-8 JSON), made on first use for object-backed views. */
  bytes(): Uint8Array;
  /** True when this view was built from bytes (and `bytes()` costs nothing). */
  readonly fromBytes: boolean;
}
