/**
 * The fixed layout of the envelope scan result: an Int32Array of {@link ENVELOPE_SCAN_SLOTS}
 * values, written by both engines (and by `gmcp_envelope_scan`, SECTION envelope of
 * gopher_mcp_c.h, whose macros carry the same numbers).
 *
 * ```
 * [0] status        EnvelopeStatus
 * [1] kind          EnvelopeKind (NONE unless status is OK)
 * [2] errorOffset   byte offset of the failure, -1 when OK
 * [3] reason        EnvelopeReason (NONE when OK)
 * [4] batchCount    elements of a top-level array (0 unless kind is BATCH)
 * [5] idType        EnvelopeTokenType of the id (STRING, NUMBER, NULL), NONE when absent
 * [6 + 3f + 0]      field f (EnvelopeField): start byte offset of the raw JSON token
 * [6 + 3f + 1]      field f: end byte offset, exclusive (a string token includes its quotes)
 * [6 + 3f + 2]      field f: EnvelopeTokenType | ENVELOPE_FLAG_* bits, 0 when absent
 * ```
 * An absent field is (-1, -1, 0). On INVALID_ENVELOPE only the id field (and idType) may be set:
 * when the top-level object has exactly one `id` of a valid type, so an error response can carry it.
 */
export const EnvelopeSlot = {
  STATUS: 0,
  KIND: 1,
  ERROR_OFFSET: 2,
  REASON: 3,
  BATCH_COUNT: 4,
  ID_TYPE: 5,
  FIRST_FIELD: 6,
} as const;

/** Slots of one field: start, end, flags. */
export const ENVELOPE_FIELD_STRIDE = 3;
/** Number of extracted fields. */
export const ENVELOPE_FIELD_COUNT = 12;
/** Length of the Int32Array a scan writes (`GMCP_ENVELOPE_SLOTS`). */
export const ENVELOPE_SCAN_SLOTS = EnvelopeSlot.FIRST_FIELD + ENVELOPE_FIELD_STRIDE * ENVELOPE_FIELD_COUNT;

/** Verdict of a scan (slot STATUS). */
export const EnvelopeStatus = {
  OK: 0,
  /** Malformed JSON or UTF-8: JSON-RPC -32700. */
  PARSE_ERROR: 1,
  /** Well-formed JSON that is not a valid JSON-RPC envelope: -32600. */
  INVALID_ENVELOPE: 2,
  /** Longer than maxSize (errorOffset = maxSize). */
  SIZE_LIMIT: 3,
  /** Nested deeper than maxDepth (errorOffset = the bracket that went over). */
  DEPTH_LIMIT: 4,
} as const;
/** One of the {@link EnvelopeStatus} values. */
export type EnvelopeStatusCode = (typeof EnvelopeStatus)[keyof typeof EnvelopeStatus];

/** What the message is (slot KIND). */
export const EnvelopeKind = {
  NONE: 0,
  REQUEST: 1,
  NOTIFICATION: 2,
  RESULT: 3,
  ERROR: 4,
  BATCH: 5,
} as const;

/** Index of each extracted field; its slots start at `FIRST_FIELD + 3 * index`. */
export const EnvelopeField = {
  ID: 0,
  METHOD: 1,
  PARAMS: 2,
  RESULT: 3,
  ERROR: 4,
  /** params.name when method is "tools/call". */
  TOOL_NAME: 5,
  /** params.uri when method is resources/read, resources/subscribe or resources/unsubscribe. */
  RESOURCE_URI: 6,
  /** params.name when method is "prompts/get". */
  PROMPT_NAME: 7,
  /** params._meta. */
  META: 8,
  /** params._meta.progressToken. */
  PROGRESS_TOKEN: 9,
  /** params._meta.traceparent. */
  TRACEPARENT: 10,
  /** params._meta.tracestate. */
  TRACESTATE: 11,
} as const;
/** One of the {@link EnvelopeField} indexes. */
export type EnvelopeFieldIndex = (typeof EnvelopeField)[keyof typeof EnvelopeField];

/** JSON type of a field's token (low 4 bits of its flags slot). */
export const EnvelopeTokenType = {
  NONE: 0,
  STRING: 1,
  NUMBER: 2,
  OBJECT: 3,
  ARRAY: 4,
  TRUE: 5,
  FALSE: 6,
  NULL: 7,
} as const;

/** Mask of the token type in a field's flags slot. */
export const ENVELOPE_TOKEN_TYPE_MASK = 0x0f;
/** Flag: a string token that contains at least one backslash escape. */
export const ENVELOPE_FLAG_ESCAPES = 0x10;
/** Flag: a number token without fraction or exponent. */
export const ENVELOPE_FLAG_INTEGER = 0x20;

/**
 * Why a scan failed (slot REASON). 1..9 go with PARSE_ERROR, 16..36 with INVALID_ENVELOPE, 48 and
 * 49 with the limits. Offsets: see each entry; envelope reasons point at the offending token (the
 * duplicate key, the bad value) or, for a missing member, at the top-level value.
 */
export const EnvelopeReason = {
  NONE: 0,
  /** The input ends inside the value (errorOffset = input length); also empty input. */
  UNEXPECTED_END: 1,
  /** A byte that no value, key or separator can start with here (trailing commas, comments...). */
  UNEXPECTED_BYTE: 2,
  /** A byte off `true` / `false` / `null` (errorOffset = that byte). */
  INVALID_LITERAL: 3,
  /** A byte off the number grammar: leading zero, `1.`, `-x`, `1e` (errorOffset = that byte). */
  INVALID_NUMBER: 4,
  /** An unknown escape or a non-hex digit in `\u` (errorOffset = the backslash). */
  INVALID_ESCAPE: 5,
  /** A `\u` escape of an unpaired surrogate (errorOffset = its backslash). */
  LONE_SURROGATE: 6,
  /** An unescaped byte below 0x20 inside a string. */
  CONTROL_CHARACTER: 7,
  /** Overlong, surrogate, above U+10FFFF, bad continuation or stray byte (errorOffset = its first byte). */
  INVALID_UTF8: 8,
  /** Something other than whitespace after the value. */
  TRAILING_DATA: 9,
  /** The top-level value is not an object (nor a batch array). */
  NOT_AN_OBJECT: 16,
  /** A top-level array with no element. */
  EMPTY_BATCH: 17,
  /** A checked key appears twice (compared decoded); errorOffset = the second key. */
  DUPLICATE_KEY: 18,
  JSONRPC_MISSING: 19,
  /** `jsonrpc` is not the string "2.0". */
  JSONRPC_INVALID: 20,
  /** id is a boolean, object or array. */
  ID_WRONG_TYPE: 21,
  /** id is a number with a fraction or an exponent. */
  ID_NOT_INTEGER: 22,
  /** id is null outside an error response. */
  ID_NULL_NOT_ALLOWED: 23,
  /** A result or error without id. */
  ID_MISSING: 24,
  METHOD_NOT_STRING: 25,
  /** method together with result or error. */
  METHOD_WITH_RESULT: 26,
  RESULT_AND_ERROR: 27,
  NO_METHOD_RESULT_OR_ERROR: 28,
  /** params is neither an object nor an array. */
  PARAMS_NOT_STRUCTURED: 29,
  /** params without method (in a response). */
  PARAMS_WITHOUT_METHOD: 30,
  ERROR_NOT_OBJECT: 31,
  /** params._meta is not an object. */
  META_NOT_OBJECT: 32,
  /** params._meta.progressToken is neither a string nor a number. */
  PROGRESS_TOKEN_WRONG_TYPE: 33,
  /** params._meta.traceparent or tracestate is not a string. */
  TRACE_CONTEXT_NOT_STRING: 34,
  /** params.name of tools/call or prompts/get is not a string. */
  NAME_NOT_STRING: 35,
  /** params.uri of resources/read, subscribe or unsubscribe is not a string. */
  URI_NOT_STRING: 36,
  SIZE_LIMIT: 48,
  DEPTH_LIMIT: 49,
} as const;
/** The name of an {@link EnvelopeReason}. */
export type EnvelopeReasonName = keyof typeof EnvelopeReason;

/** Default nesting limit (the top-level object or array is depth 1). */
export const DEFAULT_ENVELOPE_MAX_DEPTH = 64;
/** Default size limit in bytes (4 MiB). */
export const DEFAULT_ENVELOPE_MAX_SIZE = 4 * 1024 * 1024;
/** Largest accepted maxDepth. */
export const ENVELOPE_MAX_DEPTH_LIMIT = 65535;
/** Largest accepted maxSize (offsets are int32). */
export const ENVELOPE_MAX_SIZE_LIMIT = 2147483647;
