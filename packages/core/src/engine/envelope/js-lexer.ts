/**
 * The JSON layer of the envelope scanner's JS twin (native: envelope_lexer.hpp / .cpp): strict
 * RFC 8259 lexing (strings with escapes and strict UTF-8, numbers, literals) and an iterative skipper
 * for any value, with nesting tracked in an explicit stack bounded by maxDepth (no recursion).
 * Positions are plain integers; a method returns -1 after recording the failure.
 */
import * as layout from './layout.js';

// Module-local snapshots of imported constants used in the hot paths: a loader that turns imports
// into getters (tsx, vitest) must not cost a call per byte.
const { EnvelopeReason, EnvelopeStatus, EnvelopeTokenType } = layout;
const ENVELOPE_MAX_DEPTH_LIMIT = layout.ENVELOPE_MAX_DEPTH_LIMIT;

/** Byte values of JSON's structural characters. */
export const JsonByte = {
  QUOTE: 0x22,
  BACKSLASH: 0x5c,
  COMMA: 0x2c,
  COLON: 0x3a,
  OPEN_OBJECT: 0x7b,
  CLOSE_OBJECT: 0x7d,
  OPEN_ARRAY: 0x5b,
  CLOSE_ARRAY: 0x5d,
} as const;

const { QUOTE, BACKSLASH, COMMA, COLON, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY } = JsonByte;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** 1 for bytes that need no attention inside a string: printable ASCII other than '"' and '\'. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/** 1 for JSON whitespace. */
const SPACE = new Uint8Array(256);
SPACE[0x20] = SPACE[0x0a] = SPACE[0x0d] = SPACE[0x09] = 1;

const EMPTY = new Uint8Array(0);
const TRUE_BYTES = Uint8Array.of(0x74, 0x72, 0x75, 0x65);
const FALSE_BYTES = Uint8Array.of(0x66, 0x61, 0x6c, 0x73, 0x65);
const NULL_BYTES = Uint8Array.of(0x6e, 0x75, 0x6c, 0x6c);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The JSON layer: state of one scan and the lexing and skipping steps (see the module comment). */
export class JsJsonLexer {
  protected bytes: Uint8Array = EMPTY;
  protected end = 0;
  protected maxDepth = 64;

  protected status = 0;
  protected reason = 0;
  protected offset = -1;

  // The value just skipped by value().
  protected lastType = 0;
  protected lastEscapes = false;
  protected lastInteger = false;
  // Set by stringBody() when the string has an escape.
  protected stringEscapes = false;
  // Set by number() when the number has no fraction or exponent.
  private numberInteger = false;
  // Set by hex4().
  private hexUnit = 0;

  /** 1 at depth d when the container open at depth d is an object. */
  protected readonly containers = new Uint8Array(ENVELOPE_MAX_DEPTH_LIMIT + 1);

  /** Starts a scan of `bytes`. */
  protected begin(bytes: Uint8Array, maxDepth: number): void {
    this.bytes = bytes;
    this.end = bytes.length;
    this.maxDepth = maxDepth;
    this.status = EnvelopeStatus.OK;
    this.reason = 0;
    this.offset = -1;
    this.lastType = 0;
    this.lastEscapes = false;
    this.lastInteger = false;
  }

  /** Forgets the caller's bytes (never kept past a call). */
  protected release(): void {
    this.bytes = EMPTY;
  }

  // ---- failures --------------------------------------------------------------------------------

  protected parseError(reason: number, at: number): number {
    this.status = EnvelopeStatus.PARSE_ERROR;
    this.reason = reason;
    this.offset = at;
    return -1;
  }

  protected unexpectedEnd(): number {
    return this.parseError(EnvelopeReason.UNEXPECTED_END, this.end);
  }

  protected unexpectedByte(at: number): number {
    return at === this.end ? this.unexpectedEnd() : this.parseError(EnvelopeReason.UNEXPECTED_BYTE, at);
  }

  protected tooDeep(at: number): number {
    this.status = EnvelopeStatus.DEPTH_LIMIT;
    this.reason = EnvelopeReason.DEPTH_LIMIT;
    this.offset = at;
    return -1;
  }

  // ---- lexical pieces --------------------------------------------------------------------------

  protected skipSpace(p: number): number {
    const b = this.bytes;
    const end = this.end;
    while (p < end && SPACE[b[p]!] === 1) p++;
    return p;
  }

  /** p is just after the opening quote; returns the position after the closing quote. */
  protected stringBody(p: number): number {
    const b = this.bytes;
    const end = this.end;
    for (;;) {
      // Four plain bytes per step while they last, then one at a time.
      while (p + 4 <= end && (PLAIN[b[p]!]! & PLAIN[b[p + 1]!]! & PLAIN[b[p + 2]!]! & PLAIN[b[p + 3]!]!) === 1) p += 4;
      while (p < end && PLAIN[b[p]!] === 1) p++;
      if (p === end) return this.unexpectedEnd();
      const c = b[p]!;
      if (c === QUOTE) return p + 1;
      if (c === BACKSLASH) {
        this.stringEscapes = true;
        p = this.escape(p);
      } else if (c < 0x20) {
        return this.parseError(EnvelopeReason.CONTROL_CHARACTER, p);
      } else {
        p = this.utf8Run(p);
      }
      if (p < 0) return -1;
    }
  }

  /** Four hex digits at p (the escape's backslash at `backslash`); the unit goes to hexUnit. */
  protected hex4(p: number, backslash: number): number {
    const b = this.bytes;
    let unit = 0;
    for (let i = 0; i < 4; i++) {
      if (p + i === this.end) return this.unexpectedEnd();
      const digit = hexValue(b[p + i]!);
      if (digit < 0) return this.parseError(EnvelopeReason.INVALID_ESCAPE, backslash);
      unit = (unit << 4) | digit;
    }
    this.hexUnit = unit;
    return p + 4;
  }

  /** p is at a backslash; returns the position after the escape (after both halves of a pair). */
  protected escape(p: number): number {
    const b = this.bytes;
    const end = this.end;
    if (end - p < 2) return this.unexpectedEnd();
    const k = b[p + 1]!;
    if (k === QUOTE || k === BACKSLASH || k === 0x2f || k === 0x62 || k === 0x66 || k === 0x6e || k === 0x72 || k === 0x74) {
      return p + 2;
    }
    if (k !== 0x75) return this.parseError(EnvelopeReason.INVALID_ESCAPE, p);
    const q = this.hex4(p + 2, p);
    if (q < 0) return -1;
    const unit = this.hexUnit;
    if (unit >= 0xdc00 && unit <= 0xdfff) return this.parseError(EnvelopeReason.LONE_SURROGATE, p);
    if (unit < 0xd800 || unit > 0xdbff) return q;
    // A high surrogate: the next escape must be a low one.
    if (q === end) return this.unexpectedEnd();
    if (b[q] !== BACKSLASH) return this.parseError(EnvelopeReason.LONE_SURROGATE, p);
    if (q + 1 === end) return this.unexpectedEnd();
    if (b[q + 1] !== 0x75) return this.parseError(EnvelopeReason.LONE_SURROGATE, p);
    const r = this.hex4(q + 2, q);
    if (r < 0) return -1;
    const low = this.hexUnit;
    if (low < 0xdc00 || low > 0xdfff) return this.parseError(EnvelopeReason.LONE_SURROGATE, p);
    return r;
  }

  /** p is at a byte >= 0x80; validates UTF-8 sequences until the next ASCII byte (or the end). */
  protected utf8Run(p: number): number {
    const b = this.bytes;
    const end = this.end;
    while (p < end && b[p]! >= 0x80) {
      const lead = b[p]!;
      let length: number;
      let low = 0x80;
      let high = 0xbf;
      if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
      } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead === 0xe0) low = 0xa0; // no overlong 3-byte forms
        if (lead === 0xed) high = 0x9f; // no UTF-16 surrogates
      } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead === 0xf0) low = 0x90; // no overlong 4-byte forms
        if (lead === 0xf4) high = 0x8f; // nothing above U+10FFFF
      } else {
        return this.parseError(EnvelopeReason.INVALID_UTF8, p);
      }
      for (let i = 1; i < length; i++) {
        if (p + i === end) return this.unexpectedEnd();
        const c = b[p + i]!;
        if (c < low || c > high) return this.parseError(EnvelopeReason.INVALID_UTF8, p);
        low = 0x80;
        high = 0xbf;
      }
      p += length;
    }
    return p;
  }

  protected number(p: number): number {
    const b = this.bytes;
    const end = this.end;
    let integer = true;
    if (b[p] === MINUS) {
      p++;
      if (p === end) return this.unexpectedEnd();
    }
    let c = b[p]!;
    if (c === ZERO) {
      p++;
      if (p < end && b[p]! >= ZERO && b[p]! <= NINE) return this.parseError(EnvelopeReason.INVALID_NUMBER, p);
    } else if (c > ZERO && c <= NINE) {
      p++;
      while (p < end && b[p]! >= ZERO && b[p]! <= NINE) p++;
    } else {
      return this.parseError(EnvelopeReason.INVALID_NUMBER, p);
    }
    if (p < end && b[p] === 0x2e) {
      integer = false;
      p++;
      if (p === end) return this.unexpectedEnd();
      c = b[p]!;
      if (c < ZERO || c > NINE) return this.parseError(EnvelopeReason.INVALID_NUMBER, p);
      while (p < end && b[p]! >= ZERO && b[p]! <= NINE) p++;
    }
    if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
      integer = false;
      p++;
      if (p === end) return this.unexpectedEnd();
      if (b[p] === 0x2b || b[p] === MINUS) {
        p++;
        if (p === end) return this.unexpectedEnd();
      }
      c = b[p]!;
      if (c < ZERO || c > NINE) return this.parseError(EnvelopeReason.INVALID_NUMBER, p);
      while (p < end && b[p]! >= ZERO && b[p]! <= NINE) p++;
    }
    this.numberInteger = integer;
    return p;
  }

  protected literal(p: number, text: Uint8Array): number {
    const b = this.bytes;
    for (let i = 0; i < text.length; i++) {
      if (p + i === this.end) return this.unexpectedEnd();
      if (b[p + i] !== text[i]) return this.parseError(EnvelopeReason.INVALID_LITERAL, p + i);
    }
    return p + text.length;
  }

  /** p is where a key must start: reads the key, the colon and the space after it. */
  protected keyAndColon(p: number): number {
    const b = this.bytes;
    if (p === this.end || b[p] !== QUOTE) return this.unexpectedByte(p);
    p = this.stringBody(p + 1);
    if (p < 0) return -1;
    p = this.skipSpace(p);
    if (p === this.end || b[p] !== COLON) return this.unexpectedByte(p);
    return this.skipSpace(p + 1);
  }

  // ---- structure -------------------------------------------------------------------------------

  /**
   * Skips one value starting at p (space already skipped) inside a container at depth `base` (0
   * for the top level), iteratively. Sets lastType / lastEscapes / lastInteger for that value.
   */
  protected value(p: number, base: number): number {
    const b = this.bytes;
    const end = this.end;
    const containers = this.containers;
    let depth = base;
    for (;;) {
      // A value starts at p.
      if (p === end) return this.unexpectedEnd();
      const c = b[p]!;
      let type: number;
      let escapes = false;
      let integer = false;
      if (c === QUOTE) {
        type = EnvelopeTokenType.STRING;
        this.stringEscapes = false;
        p = this.stringBody(p + 1);
        escapes = this.stringEscapes;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const object = c === OPEN_OBJECT;
        if (depth + 1 > this.maxDepth) return this.tooDeep(p);
        depth++;
        containers[depth] = object ? 1 : 0;
        if (depth === base + 1) {
          this.lastType = object ? EnvelopeTokenType.OBJECT : EnvelopeTokenType.ARRAY;
          this.lastEscapes = false;
          this.lastInteger = false;
        }
        p = this.skipSpace(p + 1);
        if (p === end) return this.unexpectedEnd();
        if (b[p] === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
          p++;
          depth--;
          type = EnvelopeTokenType.NONE; // a closed container: its type is already recorded
        } else {
          if (object) {
            p = this.keyAndColon(p);
            if (p < 0) return -1;
          }
          continue; // the first member's value
        }
      } else if (c === 0x74) {
        type = EnvelopeTokenType.TRUE;
        p = this.literal(p, TRUE_BYTES);
      } else if (c === 0x66) {
        type = EnvelopeTokenType.FALSE;
        p = this.literal(p, FALSE_BYTES);
      } else if (c === 0x6e) {
        type = EnvelopeTokenType.NULL;
        p = this.literal(p, NULL_BYTES);
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        type = EnvelopeTokenType.NUMBER;
        p = this.number(p);
        integer = this.numberInteger;
      } else {
        return this.unexpectedByte(p);
      }
      if (p < 0) return -1;
      if (depth === base && type !== EnvelopeTokenType.NONE) {
        this.lastType = type;
        this.lastEscapes = escapes;
        this.lastInteger = integer;
      }
      // A value ended at p: close containers or move to the next member.
      for (;;) {
        if (depth === base) return p;
        p = this.skipSpace(p);
        if (p === end) return this.unexpectedEnd();
        const object = containers[depth] === 1;
        const d = b[p]!;
        if (d === COMMA) {
          p = this.skipSpace(p + 1);
          if (object) {
            p = this.keyAndColon(p);
            if (p < 0) return -1;
          }
          break;
        }
        if (d !== (object ? CLOSE_OBJECT : CLOSE_ARRAY)) return this.unexpectedByte(p);
        p++;
        depth--;
      }
    }
  }
}
