import { decodeEnvelopeToken } from '../engine/envelope/decode.js';
import type { EnvelopeFields, EnvelopeScanOk, EnvelopeToken } from '../engine/envelope/types.js';
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcMessage, MessageKind } from './jsonrpc.js';
import type { MessageView } from './view.js';

const utf8 = new TextDecoder();

/**
 * A {@link MessageView} over the bytes of one message, read through the engine's envelope scan:
 * the envelope and MCP fields are decoded from their byte ranges on first use, and `params`,
 * `result` and the whole `message` are parsed only when a filter asks for them.
 */
export class BytesMessageView implements MessageView {
  readonly kind: MessageKind;
  readonly fromBytes = true;
  private readonly fields: EnvelopeFields;
  private cache: Partial<Record<keyof EnvelopeFields | 'message', unknown>> = {};

  /** Wraps `data` with its (successful, non-batch) scan. */
  constructor(
    private readonly data: Uint8Array,
    scan: EnvelopeScanOk,
  ) {
    if (scan.kind === 'batch') throw new TypeError('a batch is not one message');
    this.kind = scan.kind;
    this.fields = scan.fields;
  }

  private field(name: keyof EnvelopeFields): unknown {
    if (name in this.cache) return this.cache[name];
    const token: EnvelopeToken | undefined = this.fields[name];
    const value = token === undefined ? undefined : decodeEnvelopeToken(this.data, token);
    this.cache[name] = value;
    return value;
  }

  private stringField(name: keyof EnvelopeFields): string | undefined {
    const value = this.field(name);
    return typeof value === 'string' ? value : undefined;
  }

  get id(): JsonRpcId | null | undefined {
    return this.field('id') as JsonRpcId | null | undefined;
  }

  get method(): string | undefined {
    return this.stringField('method');
  }

  get toolName(): string | undefined {
    return this.stringField('toolName');
  }

  get resourceUri(): string | undefined {
    return this.stringField('resourceUri');
  }

  get promptName(): string | undefined {
    return this.stringField('promptName');
  }

  get progressToken(): string | number | undefined {
    const value = this.field('progressToken');
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  }

  get traceparent(): string | undefined {
    return this.stringField('traceparent');
  }

  get tracestate(): string | undefined {
    return this.stringField('tracestate');
  }

  get error(): JsonRpcErrorObject | undefined {
    return this.field('error') as JsonRpcErrorObject | undefined;
  }

  get params(): unknown {
    return this.field('params');
  }

  get result(): unknown {
    return this.field('result');
  }

  get size(): number {
    return this.data.byteLength;
  }

  get message(): JsonRpcMessage {
    if (!('message' in this.cache)) this.cache.message = JSON.parse(utf8.decode(this.data)) as JsonRpcMessage;
    return this.cache.message as JsonRpcMessage;
  }

  bytes(): Uint8Array {
    return this.data;
  }
}
