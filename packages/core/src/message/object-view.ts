import { messageKindOf, type JsonRpcErrorObject, type JsonRpcId, type JsonRpcMessage, type MessageKind } from './jsonrpc.js';
import { jsonByteLength } from './json-size.js';
import { readMcpFields, type McpFields } from './mcp-fields.js';
import type { MessageView } from './view.js';

const encoder = new TextEncoder();

/** A {@link MessageView} around a message object a transport already parsed. */
export class ObjectMessageView implements MessageView {
  readonly kind: MessageKind;
  readonly fromBytes = false;
  private fields: McpFields | undefined;
  private serialized: Uint8Array | undefined;
  /** The message as JSON text, made once for `size` or `bytes()`. */
  private json: string | undefined;

  private knownSize: number | undefined;

  /**
   * Wraps `message`; throws a TypeError when it is not a JSON-RPC 2.0 message. A transport that
   * read the message from bytes passes their length as `size`, sparing a serialisation when a
   * filter asks for it.
   */
  constructor(
    readonly message: JsonRpcMessage,
    size?: number,
  ) {
    const kind = messageKindOf(message);
    if (kind === undefined) throw new TypeError('not a JSON-RPC 2.0 message object');
    this.kind = kind;
    this.knownSize = size;
  }

  get id(): JsonRpcId | null | undefined {
    return 'id' in this.message ? this.message.id : undefined;
  }

  get method(): string | undefined {
    return 'method' in this.message ? this.message.method : undefined;
  }

  private get mcp(): McpFields {
    this.fields ??= readMcpFields(this.message);
    return this.fields;
  }

  get toolName(): string | undefined {
    return this.mcp.toolName;
  }

  get resourceUri(): string | undefined {
    return this.mcp.resourceUri;
  }

  get promptName(): string | undefined {
    return this.mcp.promptName;
  }

  get progressToken(): string | number | undefined {
    return this.mcp.progressToken;
  }

  get traceparent(): string | undefined {
    return this.mcp.traceparent;
  }

  get tracestate(): string | undefined {
    return this.mcp.tracestate;
  }

  get error(): JsonRpcErrorObject | undefined {
    return 'error' in this.message ? this.message.error : undefined;
  }

  get params(): unknown {
    return 'params' in this.message ? this.message.params : undefined;
  }

  get result(): unknown {
    return 'result' in this.message ? this.message.result : undefined;
  }

  /** The UTF-8 length of the serialised message (counted by walking it, without serialising it). */
  get size(): number {
    this.knownSize ??= this.serialized?.byteLength ?? (this.json === undefined ? jsonByteLength(this.message) : Buffer.byteLength(this.json, 'utf8'));
    return this.knownSize;
  }

  bytes(): Uint8Array {
    this.serialized ??= encoder.encode(this.jsonText());
    return this.serialized;
  }

  private jsonText(): string {
    this.json ??= JSON.stringify(this.message);
    return this.json;
  }
}
