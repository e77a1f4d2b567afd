/**
 * Key and method classification of the envelope scanner's JS twin (native: classify_key,
 * classify_method, decode_ascii in envelope_scanner.cpp). Comparison is on the decoded text.
 */

/** Keys the context objects care about; the value is also the key's bit in the "seen" mask. */
export const Key = {
  OTHER: 0,
  JSONRPC: 1,
  ID: 2,
  METHOD: 3,
  PARAMS: 4,
  RESULT: 5,
  ERROR: 6,
  NAME: 7,
  URI: 8,
  META: 9,
  PROGRESS_TOKEN: 10,
  TRACEPARENT: 11,
  TRACESTATE: 12,
} as const;

/** Methods whose params carry an MCP field. */
export const Method = { OTHER: 0, TOOLS_CALL: 1, PROMPTS_GET: 2, RESOURCE: 3 } as const;

/** Longest key or method name compared after decoding ("resources/unsubscribe"). */
export const DECODE_CAPACITY = 24;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

const JSONRPC = ascii('jsonrpc');
const ID = ascii('id');
const METHOD = ascii('method');
const PARAMS = ascii('params');
const RESULT = ascii('result');
const ERROR = ascii('error');
const NAME = ascii('name');
const URI = ascii('uri');
const META = ascii('_meta');
const PROGRESS_TOKEN = ascii('progressToken');
const TRACEPARENT = ascii('traceparent');
const TRACESTATE = ascii('tracestate');
const TOOLS_CALL = ascii('tools/call');
const PROMPTS_GET = ascii('prompts/get');
const RESOURCES_READ = ascii('resources/read');
const RESOURCES_SUBSCRIBE = ascii('resources/subscribe');
const RESOURCES_UNSUBSCRIBE = ascii('resources/unsubscribe');

/** The text "2.0" as bytes. */
export const VERSION_2_0 = ascii('2.0');

/** Whether `bytes[start, start + length)` equals `literal`. */
export function bytesEqual(bytes: Uint8Array, start: number, length: number, literal: Uint8Array): boolean {
  if (length !== literal.length) return false;
  for (let i = 0; i < length; i++) {
    if (bytes[start + i] !== literal[i]) return false;
  }
  return true;
}

/** The {@link Key} of the (plain, decoded) key text at `bytes[start, start + length)` in a context object of `level`. */
export function classifyKey(bytes: Uint8Array, start: number, length: number, level: number): number {
  if (level === 1) {
    switch (length) {
      case 2:
        return bytesEqual(bytes, start, length, ID) ? Key.ID : Key.OTHER;
      case 5:
        return bytesEqual(bytes, start, length, ERROR) ? Key.ERROR : Key.OTHER;
      case 6:
        if (bytesEqual(bytes, start, length, METHOD)) return Key.METHOD;
        if (bytesEqual(bytes, start, length, PARAMS)) return Key.PARAMS;
        return bytesEqual(bytes, start, length, RESULT) ? Key.RESULT : Key.OTHER;
      case 7:
        return bytesEqual(bytes, start, length, JSONRPC) ? Key.JSONRPC : Key.OTHER;
      default:
        return Key.OTHER;
    }
  }
  if (level === 2) {
    switch (length) {
      case 3:
        return bytesEqual(bytes, start, length, URI) ? Key.URI : Key.OTHER;
      case 4:
        return bytesEqual(bytes, start, length, NAME) ? Key.NAME : Key.OTHER;
      case 5:
        return bytesEqual(bytes, start, length, META) ? Key.META : Key.OTHER;
      default:
        return Key.OTHER;
    }
  }
  switch (length) {
    case 10:
      return bytesEqual(bytes, start, length, TRACESTATE) ? Key.TRACESTATE : Key.OTHER;
    case 11:
      return bytesEqual(bytes, start, length, TRACEPARENT) ? Key.TRACEPARENT : Key.OTHER;
    case 13:
      return bytesEqual(bytes, start, length, PROGRESS_TOKEN) ? Key.PROGRESS_TOKEN : Key.OTHER;
    default:
      return Key.OTHER;
  }
}

/** The {@link Method} of the (plain, decoded) method text at `bytes[start, start + length)`. */
export function classifyMethod(bytes: Uint8Array, start: number, length: number): number {
  switch (length) {
    case 10:
      return bytesEqual(bytes, start, length, TOOLS_CALL) ? Method.TOOLS_CALL : Method.OTHER;
    case 11:
      return bytesEqual(bytes, start, length, PROMPTS_GET) ? Method.PROMPTS_GET : Method.OTHER;
    case 14:
      return bytesEqual(bytes, start, length, RESOURCES_READ) ? Method.RESOURCE : Method.OTHER;
    case 19:
      return bytesEqual(bytes, start, length, RESOURCES_SUBSCRIBE) ? Method.RESOURCE : Method.OTHER;
    case 21:
      return bytesEqual(bytes, start, length, RESOURCES_UNSUBSCRIBE) ? Method.RESOURCE : Method.OTHER;
    default:
      return Method.OTHER;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Decodes the content `bytes[start, end)` of an already validated string with escapes into `out`
 * when it is pure ASCII of at most {@link DECODE_CAPACITY} bytes. Returns the decoded length, or -1
 * when the string cannot equal any name.
 */
export function decodeAscii(bytes: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  let i = start;
  while (i < end) {
    let c = bytes[i]!;
    if (c === 0x5c) {
      const k = bytes[i + 1]!;
      if (k === 0x75) {
        const unit =
          (hexValue(bytes[i + 2]!) << 12) | (hexValue(bytes[i + 3]!) << 8) | (hexValue(bytes[i + 4]!) << 4) | hexValue(bytes[i + 5]!);
        if (unit >= 0x80) return -1;
        c = unit;
        i += 6;
      } else {
        c = k === 0x62 ? 0x08 : k === 0x66 ? 0x0c : k === 0x6e ? 0x0a : k === 0x72 ? 0x0d : k === 0x74 ? 0x09 : k;
        i += 2;
      }
    } else {
      if (c >= 0x80) return -1;
      i++;
    }
    if (n === DECODE_CAPACITY) return -1;
    out[n++] = c;
  }
  return n;
}
