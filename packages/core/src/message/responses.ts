import { errorResponse, type JsonRpcErrorObject, type JsonRpcId } from './jsonrpc.js';
import { ObjectMessageView } from './object-view.js';
import type { MessageView } from './view.js';

/** The id an answer to `message` carries: the request's id, or null when it has none. */
export function replyId(message: MessageView): JsonRpcId | null {
  const id = message.id;
  return id === undefined ? null : id;
}

/** An error response view answering `message`. */
export function errorView(message: MessageView, code: number, text: string, data?: unknown): MessageView {
  return new ObjectMessageView(errorResponse(replyId(message), code, text, data));
}

/** An error response view carrying `error` as is, answering `message`. */
export function errorObjectView(message: MessageView, error: JsonRpcErrorObject): MessageView {
  return new ObjectMessageView({ jsonrpc: '2.0', id: replyId(message), error });
}

/** A result response view answering `message`. */
export function resultView(message: MessageView, result: Record<string, unknown>): MessageView {
  const id = message.id;
  if (id === undefined || id === null) throw new TypeError('only a request can be answered with a result');
  return new ObjectMessageView({ jsonrpc: '2.0', id, result });
}
