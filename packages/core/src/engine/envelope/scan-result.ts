import {
  ENVELOPE_FIELD_STRIDE,
  ENVELOPE_FLAG_ESCAPES,
  ENVELOPE_FLAG_INTEGER,
  ENVELOPE_TOKEN_TYPE_MASK,
  EnvelopeField,
  EnvelopeReason,
  EnvelopeSlot,
  EnvelopeStatus,
  type EnvelopeFieldIndex,
  type EnvelopeReasonName,
} from './layout.js';
import type {
  EnvelopeErrorClass,
  EnvelopeFields,
  EnvelopeKindName,
  EnvelopeScan,
  EnvelopeToken,
  EnvelopeTokenTypeName,
} from './types.js';

const kindNames: ReadonlyArray<EnvelopeKindName | undefined> = [undefined, 'request', 'notification', 'result', 'error', 'batch'];
const typeNames: ReadonlyArray<EnvelopeTokenTypeName> = ['null', 'string', 'number', 'object', 'array', 'true', 'false', 'null'];
const reasonNames = new Map<number, EnvelopeReasonName>(
  Object.entries(EnvelopeReason).map(([name, code]) => [code, name as EnvelopeReasonName]),
);

const fieldNames: ReadonlyArray<readonly [EnvelopeFieldIndex, keyof EnvelopeFields]> = [
  [EnvelopeField.ID, 'id'],
  [EnvelopeField.METHOD, 'method'],
  [EnvelopeField.PARAMS, 'params'],
  [EnvelopeField.RESULT, 'result'],
  [EnvelopeField.ERROR, 'error'],
  [EnvelopeField.TOOL_NAME, 'toolName'],
  [EnvelopeField.RESOURCE_URI, 'resourceUri'],
  [EnvelopeField.PROMPT_NAME, 'promptName'],
  [EnvelopeField.META, 'meta'],
  [EnvelopeField.PROGRESS_TOKEN, 'progressToken'],
  [EnvelopeField.TRACEPARENT, 'traceparent'],
  [EnvelopeField.TRACESTATE, 'tracestate'],
];

const reasonText: Readonly<Partial<Record<EnvelopeReasonName, string>>> = {
  UNEXPECTED_END: 'unexpected end of input',
  UNEXPECTED_BYTE: 'unexpected byte',
  INVALID_LITERAL: 'invalid literal',
  INVALID_NUMBER: 'invalid number',
  INVALID_ESCAPE: 'invalid escape sequence',
  LONE_SURROGATE: 'unpaired surrogate escape',
  CONTROL_CHARACTER: 'unescaped control character in a string',
  INVALID_UTF8: 'invalid UTF-8',
  TRAILING_DATA: 'data after the JSON value',
  NOT_AN_OBJECT: 'the message is not an object',
  EMPTY_BATCH: 'empty batch',
  DUPLICATE_KEY: 'duplicate key',
  JSONRPC_MISSING: 'missing "jsonrpc"',
  JSONRPC_INVALID: '"jsonrpc" is not "2.0"',
  ID_WRONG_TYPE: 'id must be a string, a number or null',
  ID_NOT_INTEGER: 'id must be an integer',
  ID_NULL_NOT_ALLOWED: 'id may be null only in an error response',
  ID_MISSING: 'a response needs an id',
  METHOD_NOT_STRING: 'method must be a string',
  METHOD_WITH_RESULT: 'method together with result or error',
  RESULT_AND_ERROR: 'both result and error',
  NO_METHOD_RESULT_OR_ERROR: 'no method, result or error',
  PARAMS_NOT_STRUCTURED: 'params must be an object or an array',
  PARAMS_WITHOUT_METHOD: 'params without method',
  ERROR_NOT_OBJECT: 'error must be an object',
  META_NOT_OBJECT: 'params._meta must be an object',
  PROGRESS_TOKEN_WRONG_TYPE: 'progressToken must be a string or a number',
  TRACE_CONTEXT_NOT_STRING: 'traceparent and tracestate must be strings',
  NAME_NOT_STRING: 'params.name must be a string',
  URI_NOT_STRING: 'params.uri must be a string',
};

/** The token of field `field` in a scan result, or undefined when absent. */
export function envelopeTokenAt(out: Int32Array, field: EnvelopeFieldIndex): EnvelopeToken | undefined {
  const slot = EnvelopeSlot.FIRST_FIELD + ENVELOPE_FIELD_STRIDE * field;
  const start = out[slot]!;
  if (start < 0) return undefined;
  const flags = out[slot + 2]!;
  return {
    start,
    end: out[slot + 1]!,
    type: typeNames[flags & ENVELOPE_TOKEN_TYPE_MASK] ?? 'null',
    hasEscapes: (flags & ENVELOPE_FLAG_ESCAPES) !== 0,
    isInteger: (flags & ENVELOPE_FLAG_INTEGER) !== 0,
  };
}

function errorClassOf(status: number): EnvelopeErrorClass {
  if (status === EnvelopeStatus.PARSE_ERROR) return 'parse';
  if (status === EnvelopeStatus.INVALID_ENVELOPE) return 'envelope';
  return status === EnvelopeStatus.SIZE_LIMIT ? 'size' : 'depth';
}

function errorMessage(errorClass: EnvelopeErrorClass, reason: EnvelopeReasonName, offset: number): string {
  switch (errorClass) {
    case 'parse':
      return `malformed JSON at byte ${offset}: ${reasonText[reason] ?? reason}`;
    case 'envelope':
      return `invalid JSON-RPC envelope at byte ${offset}: ${reasonText[reason] ?? reason}`;
    case 'size':
      return `message larger than the limit of ${offset} bytes`;
    default:
      return `message nested deeper than the limit at byte ${offset}`;
  }
}

/** The {@link EnvelopeScan} object of a scan result written by `scanEnvelopeInto`. */
export function envelopeScanFromSlots(out: Int32Array): EnvelopeScan {
  const status = out[EnvelopeSlot.STATUS]!;
  if (status === EnvelopeStatus.OK) {
    const fields: { -readonly [K in keyof EnvelopeFields]: EnvelopeToken } = {};
    for (const [field, name] of fieldNames) {
      const token = envelopeTokenAt(out, field);
      if (token !== undefined) fields[name] = token;
    }
    return {
      ok: true,
      kind: kindNames[out[EnvelopeSlot.KIND]!] ?? 'request',
      batchCount: out[EnvelopeSlot.BATCH_COUNT]!,
      fields,
    };
  }
  const errorClass = errorClassOf(status);
  const offset = out[EnvelopeSlot.ERROR_OFFSET]!;
  const reason = reasonNames.get(out[EnvelopeSlot.REASON]!) ?? 'NONE';
  const id = envelopeTokenAt(out, EnvelopeField.ID);
  return {
    ok: false,
    errorClass,
    code: errorClass === 'parse' ? -32700 : errorClass === 'envelope' ? -32600 : 413,
    offset,
    reason,
    message: errorMessage(errorClass, reason, offset),
    ...(id === undefined ? {} : { id }),
  };
}
