import type { EnvelopeLimits, EnvelopeScanError } from '../engine/envelope/types.js';
import { decodeEnvelopeToken } from '../engine/envelope/decode.js';
import type { Engine } from '../engine/types.js';
import { ErrorCode } from '../errors/codes.js';
import { BytesMessageView } from './bytes-view.js';
import { errorResponse, messageKindOf, type JsonRpcErrorResponse, type JsonRpcId, type JsonRpcMessage } from './jsonrpc.js';
import { ObjectMessageView } from './object-view.js';
import type { MessageView } from './view.js';

/** Options of {@link parseMessageBytes}. */
export interface ParseBytesOptions extends EnvelopeLimits {
  /**
   * Accept a JSON-RPC batch (a top-level array). Default false: every protocol version this SDK
   * speaks (2025-06-18, 2025-11-25, 2026-07-28) removed batches.
   */
  readonly allowBatch?: boolean;
}

/** The outcome of reading bytes as JSON-RPC: the messages, or the error response that answers them. */
export type ParsedBytes =
  | { readonly ok: true; readonly messages: readonly MessageView[] }
  | { readonly ok: false; readonly response: JsonRpcErrorResponse; readonly reason: string };

const utf8 = new TextDecoder();

function scanErrorResponse(bytes: Uint8Array, scan: EnvelopeScanError): JsonRpcErrorResponse {
  let id: JsonRpcId | null = null;
  if (scan.id !== undefined) {
    const value = decodeEnvelopeToken(bytes, scan.id);
    if (typeof value === 'string' || typeof value === 'number') id = value;
  }
  const data =
    scan.errorClass === 'parse'
      ? { offset: scan.offset }
      : scan.errorClass === 'envelope'
        ? { reason: scan.reason.toLowerCase().replace(/_/g, ' '), offset: scan.offset }
        : { limit: scan.offset, reason: scan.errorClass === 'depth' ? 'nesting too deep' : 'message too large' };
  const code = scan.errorClass === 'parse' ? ErrorCode.PARSE_ERROR : scan.errorClass === 'envelope' ? ErrorCode.INVALID_REQUEST : ErrorCode.PAYLOAD_TOO_LARGE;
  return errorResponse(id, code, scan.message, data);
}

/**
 * Reads the bytes of one framed message through the engine's envelope scanner. A malformed,
 * invalid, oversized or too deeply nested message gives the error response to send back
 * (-32700 with the offset, -32600 with the reason, 413 with the limit), carrying the request's id
 * when it could be read. The body is not parsed: the views decode fields on demand.
 */
export function parseMessageBytes(engine: Engine, bytes: Uint8Array, options: ParseBytesOptions = {}): ParsedBytes {
  const scan = engine.scanEnvelope(bytes, options);
  if (!scan.ok) return { ok: false, response: scanErrorResponse(bytes, scan), reason: scan.reason };
  if (scan.kind !== 'batch') return { ok: true, messages: [new BytesMessageView(bytes, scan)] };
  if (options.allowBatch !== true) {
    return {
      ok: false,
      response: errorResponse(null, ErrorCode.INVALID_REQUEST, 'JSON-RPC batches are not allowed', { reason: 'batch not allowed' }),
      reason: 'BATCH_NOT_ALLOWED',
    };
  }
  const elements = JSON.parse(utf8.decode(bytes)) as unknown[];
  const messages: MessageView[] = [];
  for (const element of elements) {
    if (messageKindOf(element) === undefined) {
      return {
        ok: false,
        response: errorResponse(null, ErrorCode.INVALID_REQUEST, 'a batch element is not a JSON-RPC message', { reason: 'invalid batch element' }),
        reason: 'INVALID_BATCH_ELEMENT',
      };
    }
    messages.push(new ObjectMessageView(element as JsonRpcMessage));
  }
  return { ok: true, messages };
}
