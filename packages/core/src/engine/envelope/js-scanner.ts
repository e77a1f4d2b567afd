/**
 * The JS twin of the native envelope scanner (native/src/envelope_scanner.cpp). Both follow the
 * same algorithm step by step so that every verdict, reason and offset is identical.
 *
 * Shape of the scan: the top-level object, params and params._meta are "context objects" whose
 * keys are classified (decoded) and whose members are checked; every other value is skipped by the
 * JSON layer (js-lexer.ts). The first envelope problem in document order is kept, but a malformed
 * byte or a limit anywhere wins; missing members are judged at the end.
 */
import * as keys from './js-keys.js';
import * as lexer from './js-lexer.js';
import * as layout from './layout.js';

// Module-local snapshots of imported constants and helpers (see js-lexer.ts).
const { EnvelopeField, EnvelopeKind, EnvelopeReason, EnvelopeSlot, EnvelopeStatus, EnvelopeTokenType } = layout;
const ENVELOPE_FIELD_COUNT = layout.ENVELOPE_FIELD_COUNT;
const ENVELOPE_FIELD_STRIDE = layout.ENVELOPE_FIELD_STRIDE;
const ENVELOPE_FLAG_ESCAPES = layout.ENVELOPE_FLAG_ESCAPES;
const ENVELOPE_FLAG_INTEGER = layout.ENVELOPE_FLAG_INTEGER;
const ENVELOPE_TOKEN_TYPE_MASK = layout.ENVELOPE_TOKEN_TYPE_MASK;
const { QUOTE, COMMA, COLON, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY } = lexer.JsonByte;
const { DECODE_CAPACITY, Key, Method, VERSION_2_0, bytesEqual, classifyKey, classifyMethod, decodeAscii } = keys;

// Internal field slots beyond the public ones: params.name and params.uri before the method is known.
const FIELD_NAME = ENVELOPE_FIELD_COUNT;
const FIELD_URI = ENVELOPE_FIELD_COUNT + 1;
const FIELD_SLOTS = ENVELOPE_FIELD_COUNT + 2;

/**
 * A reusable scanner: {@link JsEnvelopeScanner.scan} resets all state, so one instance serves every
 * scan of an engine without allocating.
 */
export class JsEnvelopeScanner extends lexer.JsJsonLexer {
  private envelopeReason = 0;
  private envelopeOffset = -1;
  private seen = 0;
  private idDuplicate = false;
  private idValid = false;
  private method = 0;
  private batchCount = 0;
  private readonly fields = new Int32Array(FIELD_SLOTS * 3);
  private readonly decoded = new Uint8Array(DECODE_CAPACITY);

  /** Scans `bytes` (arguments already validated) and writes the verdict to `out`. */
  scan(bytes: Uint8Array, maxDepth: number, maxSize: number, out: Int32Array): void {
    this.begin(bytes, maxDepth);
    this.envelopeReason = 0;
    this.envelopeOffset = -1;
    this.seen = 0;
    this.idDuplicate = false;
    this.idValid = false;
    this.method = Method.OTHER;
    this.batchCount = 0;
    const fields = this.fields;
    for (let f = 0; f < FIELD_SLOTS; f++) {
      fields[f * 3] = -1;
      fields[f * 3 + 1] = -1;
      fields[f * 3 + 2] = 0;
    }
    try {
      this.run(maxSize, out);
    } finally {
      this.release();
    }
  }

  private envelopeError(reason: number, at: number): void {
    if (this.envelopeReason !== 0) return;
    this.envelopeReason = reason;
    this.envelopeOffset = at;
  }

  private decodedKey(start: number, end: number, escapes: boolean, level: number): number {
    if (!escapes) return classifyKey(this.bytes, start, end - start, level);
    const n = decodeAscii(this.bytes, start, end, this.decoded);
    return n < 0 ? Key.OTHER : classifyKey(this.decoded, 0, n, level);
  }

  private decodedEqualsVersion(start: number, end: number, escapes: boolean): boolean {
    if (!escapes) return bytesEqual(this.bytes, start, end - start, VERSION_2_0);
    const n = decodeAscii(this.bytes, start, end, this.decoded);
    return n >= 0 && bytesEqual(this.decoded, 0, n, VERSION_2_0);
  }

  private methodOf(start: number, end: number, escapes: boolean): number {
    if (!escapes) return classifyMethod(this.bytes, start, end - start);
    const n = decodeAscii(this.bytes, start, end, this.decoded);
    return n < 0 ? Method.OTHER : classifyMethod(this.decoded, 0, n);
  }

  /** p is at the '{' of a context object at `depth`: the top level (level 1), params (2) or _meta (3). */
  private contextObject(p: number, depth: number, level: number): number {
    const b = this.bytes;
    const end = this.end;
    if (depth > this.maxDepth) return this.tooDeep(p);
    this.containers[depth] = 1;
    p = this.skipSpace(p + 1);
    if (p === end) return this.unexpectedEnd();
    if (b[p] === CLOSE_OBJECT) return p + 1;
    for (;;) {
      if (p === end || b[p] !== QUOTE) return this.unexpectedByte(p);
      const keyStart = p;
      this.stringEscapes = false;
      p = this.stringBody(p + 1);
      if (p < 0) return -1;
      const key = this.decodedKey(keyStart + 1, p - 1, this.stringEscapes, level);
      p = this.skipSpace(p);
      if (p === end || b[p] !== COLON) return this.unexpectedByte(p);
      p = this.skipSpace(p + 1);
      p = key === Key.OTHER ? this.value(p, depth) : this.member(p, keyStart, depth, key);
      if (p < 0) return -1;
      p = this.skipSpace(p);
      if (p === end) return this.unexpectedEnd();
      if (b[p] === CLOSE_OBJECT) return p + 1;
      if (b[p] !== COMMA) return this.unexpectedByte(p);
      p = this.skipSpace(p + 1);
    }
  }

  private record(field: number, start: number, end: number): void {
    let flags = this.lastType;
    if (this.lastEscapes) flags |= ENVELOPE_FLAG_ESCAPES;
    if (this.lastInteger) flags |= ENVELOPE_FLAG_INTEGER;
    this.fields[field * 3] = start;
    this.fields[field * 3 + 1] = end;
    this.fields[field * 3 + 2] = flags;
  }

  private setObjectType(): void {
    this.lastType = EnvelopeTokenType.OBJECT;
    this.lastEscapes = false;
    this.lastInteger = false;
  }

  /** The value of a classified key of a context object at `depth`; p is at the value. */
  private member(p: number, keyStart: number, depth: number, key: number): number {
    const bit = 1 << key;
    if ((this.seen & bit) !== 0) {
      if (key === Key.ID) this.idDuplicate = true;
      this.envelopeError(EnvelopeReason.DUPLICATE_KEY, keyStart);
      return this.value(p, depth);
    }
    this.seen |= bit;
    const start = p;
    const object = p < this.end && this.bytes[p] === OPEN_OBJECT;
    if (key === Key.PARAMS && object) {
      p = this.contextObject(p, depth + 1, 2);
      if (p < 0) return -1;
      this.setObjectType();
      this.record(EnvelopeField.PARAMS, start, p);
      return p;
    }
    if (key === Key.META && object) {
      p = this.contextObject(p, depth + 1, 3);
      if (p < 0) return -1;
      this.setObjectType();
      this.record(EnvelopeField.META, start, p);
      return p;
    }
    p = this.value(p, depth);
    if (p < 0) return -1;
    const type = this.lastType;
    const isString = type === EnvelopeTokenType.STRING;
    switch (key) {
      case Key.JSONRPC:
        if (!isString || !this.decodedEqualsVersion(start + 1, p - 1, this.lastEscapes)) {
          this.envelopeError(EnvelopeReason.JSONRPC_INVALID, start);
        }
        break;
      case Key.ID:
        this.record(EnvelopeField.ID, start, p);
        if (type === EnvelopeTokenType.NUMBER && !this.lastInteger) {
          this.envelopeError(EnvelopeReason.ID_NOT_INTEGER, start);
        } else if (isString || type === EnvelopeTokenType.NUMBER || type === EnvelopeTokenType.NULL) {
          this.idValid = true;
        } else {
          this.envelopeError(EnvelopeReason.ID_WRONG_TYPE, start);
        }
        break;
      case Key.METHOD:
        this.record(EnvelopeField.METHOD, start, p);
        if (isString) {
          this.method = this.methodOf(start + 1, p - 1, this.lastEscapes);
        } else {
          this.envelopeError(EnvelopeReason.METHOD_NOT_STRING, start);
        }
        break;
      case Key.PARAMS:
        this.record(EnvelopeField.PARAMS, start, p);
        if (type !== EnvelopeTokenType.ARRAY) this.envelopeError(EnvelopeReason.PARAMS_NOT_STRUCTURED, start);
        break;
      case Key.RESULT:
        this.record(EnvelopeField.RESULT, start, p);
        break;
      case Key.ERROR:
        this.record(EnvelopeField.ERROR, start, p);
        if (type !== EnvelopeTokenType.OBJECT) this.envelopeError(EnvelopeReason.ERROR_NOT_OBJECT, start);
        break;
      case Key.NAME:
        this.record(FIELD_NAME, start, p);
        break;
      case Key.URI:
        this.record(FIELD_URI, start, p);
        break;
      case Key.META:
        this.record(EnvelopeField.META, start, p);
        this.envelopeError(EnvelopeReason.META_NOT_OBJECT, start);
        break;
      case Key.PROGRESS_TOKEN:
        this.record(EnvelopeField.PROGRESS_TOKEN, start, p);
        if (!isString && type !== EnvelopeTokenType.NUMBER) {
          this.envelopeError(EnvelopeReason.PROGRESS_TOKEN_WRONG_TYPE, start);
        }
        break;
      case Key.TRACEPARENT:
        this.record(EnvelopeField.TRACEPARENT, start, p);
        if (!isString) this.envelopeError(EnvelopeReason.TRACE_CONTEXT_NOT_STRING, start);
        break;
      case Key.TRACESTATE:
        this.record(EnvelopeField.TRACESTATE, start, p);
        if (!isString) this.envelopeError(EnvelopeReason.TRACE_CONTEXT_NOT_STRING, start);
        break;
      default:
        break;
    }
    return p;
  }

  /** p is at the '[' of a top-level array: counts its elements. */
  private batch(p: number): number {
    const b = this.bytes;
    const end = this.end;
    this.containers[1] = 0;
    p = this.skipSpace(p + 1);
    if (p === end) return this.unexpectedEnd();
    if (b[p] === CLOSE_ARRAY) return p + 1;
    for (;;) {
      p = this.value(p, 1);
      if (p < 0) return -1;
      this.batchCount++;
      p = this.skipSpace(p);
      if (p === end) return this.unexpectedEnd();
      if (b[p] === CLOSE_ARRAY) return p + 1;
      if (b[p] !== COMMA) return this.unexpectedByte(p);
      p = this.skipSpace(p + 1);
    }
  }

  private has(key: number): boolean {
    return (this.seen & (1 << key)) !== 0;
  }

  private fieldType(field: number): number {
    return this.fields[field * 3 + 2]! & ENVELOPE_TOKEN_TYPE_MASK;
  }

  private fieldStart(field: number): number {
    return this.fields[field * 3]!;
  }

  private copyField(from: number, to: number): void {
    const fields = this.fields;
    fields[to * 3] = fields[from * 3]!;
    fields[to * 3 + 1] = fields[from * 3 + 1]!;
    fields[to * 3 + 2] = fields[from * 3 + 2]!;
  }

  private write(out: Int32Array, status: number, kind: number, offset: number, reason: number, allFields: boolean): void {
    out[EnvelopeSlot.STATUS] = status;
    out[EnvelopeSlot.KIND] = kind;
    out[EnvelopeSlot.ERROR_OFFSET] = offset;
    out[EnvelopeSlot.REASON] = reason;
    out[EnvelopeSlot.BATCH_COUNT] = kind === EnvelopeKind.BATCH ? this.batchCount : 0;
    out[EnvelopeSlot.ID_TYPE] = 0;
    const first = EnvelopeSlot.FIRST_FIELD;
    for (let f = 0; f < ENVELOPE_FIELD_COUNT; f++) {
      const slot = first + ENVELOPE_FIELD_STRIDE * f;
      out[slot] = -1;
      out[slot + 1] = -1;
      out[slot + 2] = 0;
    }
    const keepId =
      allFields ||
      (status === EnvelopeStatus.INVALID_ENVELOPE && this.has(Key.ID) && !this.idDuplicate && this.idValid);
    if (!keepId) return;
    const fields = this.fields;
    const count = allFields ? ENVELOPE_FIELD_COUNT : 1; // the id is field 0
    for (let f = 0; f < count; f++) {
      const slot = first + ENVELOPE_FIELD_STRIDE * f;
      out[slot] = fields[f * 3]!;
      out[slot + 1] = fields[f * 3 + 1]!;
      out[slot + 2] = fields[f * 3 + 2]!;
    }
    out[EnvelopeSlot.ID_TYPE] = this.fieldType(EnvelopeField.ID);
  }

  private invalid(out: Int32Array, reason: number, offset: number): void {
    this.write(out, EnvelopeStatus.INVALID_ENVELOPE, 0, offset, reason, false);
  }

  /** The whole input is well-formed JSON within the limits; `top` is where its value starts. */
  private finish(top: number, out: Int32Array): void {
    const invalid = EnvelopeStatus.INVALID_ENVELOPE;
    const first = this.bytes[top];
    if (first === OPEN_ARRAY) {
      if (this.batchCount === 0) return this.write(out, invalid, 0, top, EnvelopeReason.EMPTY_BATCH, false);
      return this.write(out, EnvelopeStatus.OK, EnvelopeKind.BATCH, -1, 0, false);
    }
    if (first !== OPEN_OBJECT) return this.write(out, invalid, 0, top, EnvelopeReason.NOT_AN_OBJECT, false);
    if (this.envelopeReason !== 0) return this.write(out, invalid, 0, this.envelopeOffset, this.envelopeReason, false);
    if (!this.has(Key.JSONRPC)) return this.invalid(out, EnvelopeReason.JSONRPC_MISSING, top);
    const idNull = this.has(Key.ID) && this.fieldType(EnvelopeField.ID) === EnvelopeTokenType.NULL;
    const idOffset = this.fieldStart(EnvelopeField.ID);
    const method = this.method;
    let kind: number;
    if (this.has(Key.METHOD)) {
      if (this.has(Key.RESULT) || this.has(Key.ERROR)) {
        return this.invalid(out, EnvelopeReason.METHOD_WITH_RESULT, this.fieldStart(EnvelopeField.METHOD));
      }
      if (idNull) return this.invalid(out, EnvelopeReason.ID_NULL_NOT_ALLOWED, idOffset);
      if (
        (method === Method.TOOLS_CALL || method === Method.PROMPTS_GET) &&
        this.fieldStart(FIELD_NAME) >= 0 &&
        this.fieldType(FIELD_NAME) !== EnvelopeTokenType.STRING
      ) {
        return this.invalid(out, EnvelopeReason.NAME_NOT_STRING, this.fieldStart(FIELD_NAME));
      }
      if (method === Method.RESOURCE && this.fieldStart(FIELD_URI) >= 0 && this.fieldType(FIELD_URI) !== EnvelopeTokenType.STRING) {
        return this.invalid(out, EnvelopeReason.URI_NOT_STRING, this.fieldStart(FIELD_URI));
      }
      if (method === Method.TOOLS_CALL) this.copyField(FIELD_NAME, EnvelopeField.TOOL_NAME);
      if (method === Method.PROMPTS_GET) this.copyField(FIELD_NAME, EnvelopeField.PROMPT_NAME);
      if (method === Method.RESOURCE) this.copyField(FIELD_URI, EnvelopeField.RESOURCE_URI);
      kind = this.has(Key.ID) ? EnvelopeKind.REQUEST : EnvelopeKind.NOTIFICATION;
    } else {
      if (this.has(Key.PARAMS)) return this.invalid(out, EnvelopeReason.PARAMS_WITHOUT_METHOD, this.fieldStart(EnvelopeField.PARAMS));
      const hasResult = this.has(Key.RESULT);
      const hasError = this.has(Key.ERROR);
      if (hasResult && hasError) return this.invalid(out, EnvelopeReason.RESULT_AND_ERROR, top);
      if (!hasResult && !hasError) return this.invalid(out, EnvelopeReason.NO_METHOD_RESULT_OR_ERROR, top);
      if (!this.has(Key.ID)) return this.invalid(out, EnvelopeReason.ID_MISSING, top);
      if (hasResult && idNull) return this.invalid(out, EnvelopeReason.ID_NULL_NOT_ALLOWED, idOffset);
      kind = hasResult ? EnvelopeKind.RESULT : EnvelopeKind.ERROR;
    }
    this.write(out, EnvelopeStatus.OK, kind, -1, 0, true);
  }

  private run(maxSize: number, out: Int32Array): void {
    if (this.end > maxSize) {
      return this.write(out, EnvelopeStatus.SIZE_LIMIT, 0, maxSize, EnvelopeReason.SIZE_LIMIT, false);
    }
    const top = this.skipSpace(0);
    let p: number;
    if (top === this.end) {
      p = this.unexpectedEnd();
    } else if (this.bytes[top] === OPEN_OBJECT) {
      p = this.contextObject(top, 1, 1);
    } else if (this.bytes[top] === OPEN_ARRAY) {
      p = this.batch(top);
    } else {
      p = this.value(top, 0);
    }
    if (p >= 0) {
      p = this.skipSpace(p);
      if (p !== this.end) p = this.parseError(EnvelopeReason.TRAILING_DATA, p);
    }
    if (p < 0) return this.write(out, this.status, 0, this.offset, this.reason, false);
    this.finish(top, out);
  }
}
