import type { Engine } from '../engine/types.js';
import { ErrorCode } from '../errors/codes.js';
import { errorResponse, messageKindOf, type JsonRpcErrorResponse, type JsonRpcMessage } from './jsonrpc.js';
import { parseMessageBytes } from './parse-bytes.js';
import { ObjectMessageView } from './object-view.js';
import type { MessageView } from './view.js';

/** What the manager accepts as a message: a view, a parsed JSON-RPC object, or its bytes. */
export type MessageInput = MessageView | JsonRpcMessage | Uint8Array;

/** True when `value` is a {@link MessageView} (rather than a parsed message object). */
export function isMessageView(value: unknown): value is MessageView {
  return typeof value === 'object' && value !== null && typeof (value as MessageView).bytes === 'function' && 'kind' in value;
}

/** Input that is not one JSON-RPC message, with the error response that answers it. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';

  constructor(readonly response: JsonRpcErrorResponse) {
    super(response.error.message);
  }
}

/**
 * Makes a {@link MessageView} of `input`. Bytes go through the engine's envelope scanner (batches
 * are refused). Throws {@link InvalidMessageError} carrying the error response when the input is
 * not one valid JSON-RPC 2.0 message.
 */
export function toMessageView(input: MessageInput, engine: Engine): MessageView {
  if (input instanceof Uint8Array) {
    const parsed = parseMessageBytes(engine, input);
    if (!parsed.ok) throw new InvalidMessageError(parsed.response);
    return parsed.messages[0] as MessageView;
  }
  if (isMessageView(input)) return input;
  if (messageKindOf(input) === undefined) {
    throw new InvalidMessageError(errorResponse(null, ErrorCode.INVALID_REQUEST, 'invalid JSON-RPC message', { reason: 'not a JSON-RPC 2.0 message object' }));
  }
  return new ObjectMessageView(input as JsonRpcMessage);
}
