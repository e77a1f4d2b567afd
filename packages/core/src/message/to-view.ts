import type { Engine } from '../engine/types.js';
import type { JsonRpcMessage } from './jsonrpc.js';
import { ObjectMessageView } from './object-view.js';
import type { MessageView } from './view.js';

/** What the manager accepts as a message: a view, or a parsed JSON-RPC object. */
export type MessageInput = MessageView | JsonRpcMessage;

/** Makes a {@link MessageView} of `input`; throws a TypeError when it is not a JSON-RPC 2.0 message. */
export function toMessageView(input: MessageInput, _engine: Engine): MessageView {
  if (typeof (input as MessageView).bytes === 'function' && 'kind' in input) return input as MessageView;
  return new ObjectMessageView(input as JsonRpcMessage);
}
