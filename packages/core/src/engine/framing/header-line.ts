import type { MalformedReason } from './types.js';

const CR = 0x0d;
const COLON = 0x3a;
/** "content-length" in lower case, as bytes. */
export const CONTENT_LENGTH_PREFIX = Buffer.from('content-length:', 'latin1');
const NAME_LENGTH = CONTENT_LENGTH_PREFIX.length - 1;
const MAX_CONTENT_LENGTH = 2 ** 53 - 1;

/** ASCII lower case of one byte. */
export function lowerByte(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

const TOKEN_SYMBOLS = new Set(Array.from("!#$%&'*+-.^_`|~", (c) => c.charCodeAt(0)));

/** RFC 9110 token characters. */
function isTokenChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || TOKEN_SYMBOLS.has(c);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Parses `[blanks]digits[blanks]` (1 to 16 digits, at most 2^53 - 1) in `line[start, end)`; -1 when it is not that. */
function parseLength(line: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && isBlank(line[i] as number)) i++;
  const digitsStart = i;
  let value = 0;
  while (i < end && (line[i] as number) >= 0x30 && (line[i] as number) <= 0x39) {
    if (i - digitsStart === 16) return -1;
    value = value * 10 + ((line[i] as number) - 0x30);
    i++;
  }
  if (i === digitsStart || value > MAX_CONTENT_LENGTH) return -1;
  while (i < end && isBlank(line[i] as number)) i++;
  return i === end ? value : -1;
}

/** What one complete header line (without its `\n`) is. */
export type HeaderLine =
  | { readonly kind: 'blank' }
  | { readonly kind: 'header' }
  | { readonly kind: 'content-length'; readonly value: number }
  | { readonly kind: 'malformed'; readonly reason: MalformedReason };

const BLANK: HeaderLine = { kind: 'blank' };
const HEADER: HeaderLine = { kind: 'header' };
const INVALID_LINE: HeaderLine = { kind: 'malformed', reason: 'invalid-header-line' };
const INVALID_LENGTH: HeaderLine = { kind: 'malformed', reason: 'invalid-content-length' };

/** Classifies the header line `line[start, end)` (the same rules as the native framer). */
export function classifyHeaderLine(line: Uint8Array, start: number, end: number): HeaderLine {
  if (end === start || line[end - 1] !== CR) return INVALID_LINE;
  end--;
  if (end === start) return BLANK;
  let colon = start;
  while (colon < end && line[colon] !== COLON) colon++;
  if (colon === end || colon === start) return INVALID_LINE;
  let isContentLength = colon - start === NAME_LENGTH;
  for (let i = start; i < colon; i++) {
    const c = line[i] as number;
    if (!isTokenChar(c)) return INVALID_LINE;
    if (isContentLength && lowerByte(c) !== CONTENT_LENGTH_PREFIX[i - start]) isContentLength = false;
  }
  if (!isContentLength) return HEADER;
  const value = parseLength(line, colon + 1, end);
  return value < 0 ? INVALID_LENGTH : { kind: 'content-length', value };
}
