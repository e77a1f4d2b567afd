/**
 * Cheap decoding of the tokens an envelope scan points at: a string without escapes is a plain
 * UTF-8 slice (the scanner already validated it), anything else is JSON.parse of that token only.
 */
import {
  ENVELOPE_FIELD_STRIDE,
  ENVELOPE_FLAG_ESCAPES,
  ENVELOPE_TOKEN_TYPE_MASK,
  EnvelopeSlot,
  EnvelopeTokenType,
  type EnvelopeFieldIndex,
} from './layout.js';
import type { EnvelopeToken } from './types.js';

const utf8 = new TextDecoder();

/** The UTF-8 text of `bytes[start, end)` (short ASCII runs are built without a decoder call). */
export function utf8Slice(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 32) {
    let text = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return utf8.decode(bytes.subarray(start, end));
      text += String.fromCharCode(c);
    }
    return text;
  }
  return utf8.decode(bytes.subarray(start, end));
}

/**
 * The value of the string token `bytes[start, end)` (quotes included) with the flags of its field:
 * a UTF-8 decode of its content when it has no escapes, else JSON.parse of the token.
 */
export function decodeEnvelopeString(bytes: Uint8Array, start: number, end: number, flags: number): string {
  if ((flags & ENVELOPE_FLAG_ESCAPES) === 0) return utf8Slice(bytes, start + 1, end - 1);
  return JSON.parse(utf8Slice(bytes, start, end)) as string;
}

/** The JSON value of the token `bytes[start, end)` (JSON.parse of that token only). */
export function decodeEnvelopeValue(bytes: Uint8Array, start: number, end: number): unknown {
  return JSON.parse(utf8Slice(bytes, start, end)) as unknown;
}

/** The JSON value of `token`; strings take the cheap path. */
export function decodeEnvelopeToken(bytes: Uint8Array, token: EnvelopeToken): unknown {
  if (token.type === 'string') {
    return decodeEnvelopeString(bytes, token.start, token.end, token.hasEscapes ? ENVELOPE_FLAG_ESCAPES : 0);
  }
  return decodeEnvelopeValue(bytes, token.start, token.end);
}

/**
 * The string value of field `field` of a scan result in `out` (from `scanEnvelopeInto`), or
 * undefined when the field is absent or not a string.
 */
export function readEnvelopeString(bytes: Uint8Array, out: Int32Array, field: EnvelopeFieldIndex): string | undefined {
  const slot = EnvelopeSlot.FIRST_FIELD + ENVELOPE_FIELD_STRIDE * field;
  const flags = out[slot + 2]!;
  if ((flags & ENVELOPE_TOKEN_TYPE_MASK) !== EnvelopeTokenType.STRING) return undefined;
  return decodeEnvelopeString(bytes, out[slot]!, out[slot + 1]!, flags);
}

/** The JSON value of field `field` of a scan result in `out`, or undefined when absent. */
export function readEnvelopeValue(bytes: Uint8Array, out: Int32Array, field: EnvelopeFieldIndex): unknown {
  const slot = EnvelopeSlot.FIRST_FIELD + ENVELOPE_FIELD_STRIDE * field;
  const flags = out[slot + 2]!;
  if ((flags & ENVELOPE_TOKEN_TYPE_MASK) === EnvelopeTokenType.NONE) return undefined;
  if ((flags & ENVELOPE_TOKEN_TYPE_MASK) === EnvelopeTokenType.STRING) {
    return decodeEnvelopeString(bytes, out[slot]!, out[slot + 1]!, flags);
  }
  return decodeEnvelopeValue(bytes, out[slot]!, out[slot + 1]!);
}
