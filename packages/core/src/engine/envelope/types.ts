import type { EnvelopeReasonName, EnvelopeStatusCode } from './layout.js';

/** Limits of one scan; each defaults when omitted. */
export interface EnvelopeLimits {
  /** Deepest nesting allowed, the top-level value being depth 1: integer 1..65535 (default 64). */
  readonly maxDepth?: number;
  /** Largest message in bytes: integer 0..2147483647 (default 4 MiB). */
  readonly maxSize?: number;
}

/** What a valid message is. */
export type EnvelopeKindName = 'request' | 'notification' | 'result' | 'error' | 'batch';

/** JSON type of a token. */
export type EnvelopeTokenTypeName = 'string' | 'number' | 'object' | 'array' | 'true' | 'false' | 'null';

/** The raw JSON token of one field: `bytes.subarray(start, end)` (a string includes its quotes). */
export interface EnvelopeToken {
  readonly start: number;
  readonly end: number;
  readonly type: EnvelopeTokenTypeName;
  /** A string with at least one backslash escape (decode it with JSON.parse, not a plain UTF-8 decode). */
  readonly hasEscapes: boolean;
  /** A number without fraction or exponent. */
  readonly isInteger: boolean;
}

/** The fields found in a message; a missing property means the field is absent. */
export interface EnvelopeFields {
  readonly id?: EnvelopeToken;
  readonly method?: EnvelopeToken;
  readonly params?: EnvelopeToken;
  readonly result?: EnvelopeToken;
  readonly error?: EnvelopeToken;
  /** params.name of a "tools/call". */
  readonly toolName?: EnvelopeToken;
  /** params.uri of resources/read, resources/subscribe, resources/unsubscribe. */
  readonly resourceUri?: EnvelopeToken;
  /** params.name of a "prompts/get". */
  readonly promptName?: EnvelopeToken;
  readonly meta?: EnvelopeToken;
  readonly progressToken?: EnvelopeToken;
  readonly traceparent?: EnvelopeToken;
  readonly tracestate?: EnvelopeToken;
}

/** A valid message. */
export interface EnvelopeScanOk {
  readonly ok: true;
  readonly kind: EnvelopeKindName;
  /** Elements of a batch (0 for other kinds). */
  readonly batchCount: number;
  readonly fields: EnvelopeFields;
}

/** The class of a failure: malformed JSON, invalid envelope, or a limit. */
export type EnvelopeErrorClass = 'parse' | 'envelope' | 'size' | 'depth';

/** A rejected message. */
export interface EnvelopeScanError {
  readonly ok: false;
  readonly errorClass: EnvelopeErrorClass;
  /** The JSON-RPC / HTTP-aligned code to answer with: -32700, -32600, or 413 for both limits. */
  readonly code: -32700 | -32600 | 413;
  /** Byte offset where the scan failed (for size: the limit). */
  readonly offset: number;
  readonly reason: EnvelopeReasonName;
  /** One line for a person; never quotes the message's content. */
  readonly message: string;
  /** The request's id when the envelope is invalid but has exactly one id of a valid type. */
  readonly id?: EnvelopeToken;
}

/** The result of {@link EnvelopeEngine.scanEnvelope}. */
export type EnvelopeScan = EnvelopeScanOk | EnvelopeScanError;

/**
 * The JSON-RPC envelope scanner of the engine: validates one message given as bytes without
 * building a document, and points at the fields the message layer needs. Both engines give
 * identical verdicts, reasons and offsets (shared conformance vectors). The contract:
 *
 * - JSON is strict RFC 8259: no trailing commas, comments, leading zeros, single quotes, NaN,
 *   BOM; JSON whitespace (space, tab, LF, CR) around the value; nothing after it.
 * - Strings: no unescaped byte below 0x20; escapes are `\" \\ \/ \b \f \n \r \t \uXXXX`;
 *   a `\u` escape of an unpaired surrogate is REJECTED (LONE_SURROGATE), a high+low pair is fine.
 *   UTF-8 is strict: no overlong forms, no encoded surrogates, nothing above U+10FFFF, no stray or
 *   missing continuation bytes. Input that ends early is UNEXPECTED_END at the input length, even
 *   inside a UTF-8 sequence or an escape (every strict prefix of a valid message gives that).
 * - Limits: the size is checked first (SIZE_LIMIT, offset = maxSize); nesting deeper than maxDepth
 *   (the top-level value is depth 1) stops the scan at that bracket (DEPTH_LIMIT). No recursion:
 *   100 000 levels cost nothing more than the first maxDepth.
 * - Order of verdicts: the first malformed byte or limit in document order wins over any envelope
 *   problem; among envelope problems the first found while scanning wins (duplicate key, a member of
 *   a wrong type), then the missing-member checks in this order: JSONRPC_MISSING; with method:
 *   METHOD_WITH_RESULT, ID_NULL_NOT_ALLOWED, NAME_NOT_STRING, URI_NOT_STRING; without method:
 *   PARAMS_WITHOUT_METHOD, RESULT_AND_ERROR, NO_METHOD_RESULT_OR_ERROR, ID_MISSING,
 *   ID_NULL_NOT_ALLOWED (a result with a null id).
 * - Envelope: the top level is an object (or a non-empty array: kind batch with its element count,
 *   elements not checked); `jsonrpc` is exactly the string "2.0" (compared decoded); id is a string,
 *   an integer number (no fraction, no exponent: 1.0 and 1e3 are ID_NOT_INTEGER; magnitude is not
 *   checked, so correlate by the token text), or null in an error response only; method is a
 *   string; params is an object or an array and needs a method; error is an object; result is any
 *   value; a response needs an id; unknown top-level members are allowed.
 * - MCP fields (when params is an object): params.name is reported as toolName for "tools/call" and
 *   as promptName for "prompts/get", params.uri as resourceUri for resources/read, subscribe and
 *   unsubscribe (methods compared decoded); for those methods a present name/uri must be a string.
 *   params._meta must be an object; in it progressToken is a string or a number, traceparent and
 *   tracestate are strings.
 * - Duplicate keys are REJECTED (DUPLICATE_KEY, offset of the second key), comparing decoded keys
 *   (`"n\u0061me"` is `"name"`), for jsonrpc, id, method, params, result, error at the top level, for
 *   name, uri and _meta in params (whatever the method) and for progressToken, traceparent and
 *   tracestate in params._meta. Duplicates elsewhere are not checked.
 * - An invalid envelope still reports the id (field and idType) when the top level has exactly one
 *   id of a valid type, so that the error response can carry it.
 */
export interface EnvelopeEngine {
  /**
   * Scans one message without building a document and writes the verdict into `out` (an
   * Int32Array of at least ENVELOPE_SCAN_SLOTS values, layout in layout.ts). Allocates nothing;
   * the native engine passes both arrays to C without copying. Returns the status slot.
   * Throws EngineError(INVALID_ARGUMENT) for a short `out` or bad limits.
   */
  scanEnvelopeInto(bytes: Uint8Array, out: Int32Array, limits?: EnvelopeLimits): EnvelopeStatusCode;
  /** Scans one message and returns the verdict as an object. */
  scanEnvelope(bytes: Uint8Array, limits?: EnvelopeLimits): EnvelopeScan;
}
