/**
 * The envelope API on both engines: argument checks (same EngineError status), views with a
 * byteOffset, the object form, and the token decoding helpers.
 */
import { describe, expect, it } from 'vitest';

import {
  ENVELOPE_SCAN_SLOTS,
  EnvelopeField,
  EnvelopeStatus,
  decodeEnvelopeString,
  decodeEnvelopeValue,
  readEnvelopeString,
  readEnvelopeValue,
  type EnvelopeLimits,
} from '../../src/engine/envelope/index.js';
import { utf8Slice } from '../../src/engine/envelope/decode.js';
import { EngineError, EngineStatus } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';

const toolCall =
  '{"jsonrpc":"2.0","id":"r-1","method":"tools/call","params":{"name":"na\\u00efve","arguments":{"t":"x"},"_meta":{"progressToken":3,"traceparent":"00-ab-cd-01"}}}';

function statusOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof EngineError ? error.status : -1000;
  }
  return undefined;
}

for (const engine of testEngines()) {
  describe(engineTitle(engine), () => {
    it('refuses bad limits with INVALID_ARGUMENT', () => {
      const bytes = Buffer.from('{}');
      const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
      const bad: EnvelopeLimits[] = [
        { maxDepth: 0 },
        { maxDepth: 65536 },
        { maxDepth: 1.5 },
        { maxDepth: Number.NaN },
        { maxSize: -1 },
        { maxSize: 2 ** 31 },
        { maxSize: 10.5 },
      ];
      for (const limits of bad) {
        expect(statusOf(() => engine.scanEnvelopeInto(bytes, out, limits)), JSON.stringify(limits)).toBe(EngineStatus.INVALID_ARGUMENT);
        expect(statusOf(() => engine.scanEnvelope(bytes, limits))).toBe(EngineStatus.INVALID_ARGUMENT);
      }
      expect(statusOf(() => engine.scanEnvelopeInto(bytes, out, { maxDepth: 65535, maxSize: 2 ** 31 - 1 }))).toBeUndefined();
    });

    it('refuses a short or mistyped out array and non-byte input with INVALID_ARGUMENT', () => {
      const bytes = Buffer.from('{}');
      expect(statusOf(() => engine.scanEnvelopeInto(bytes, new Int32Array(ENVELOPE_SCAN_SLOTS - 1)))).toBe(EngineStatus.INVALID_ARGUMENT);
      const wrongOut = new Uint32Array(ENVELOPE_SCAN_SLOTS) as unknown as Int32Array;
      expect(statusOf(() => engine.scanEnvelopeInto(bytes, wrongOut))).toBe(EngineStatus.INVALID_ARGUMENT);
      const text = '{}' as unknown as Uint8Array;
      expect(statusOf(() => engine.scanEnvelopeInto(text, new Int32Array(ENVELOPE_SCAN_SLOTS)))).toBe(EngineStatus.INVALID_ARGUMENT);
    });

    it('reads a view with a byteOffset and reports offsets relative to the view', () => {
      const whole = Buffer.from(`garbage!${toolCall}trailing`);
      const view = new Uint8Array(whole.buffer, whole.byteOffset + 8, Buffer.byteLength(toolCall));
      const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
      expect(engine.scanEnvelopeInto(view, out)).toBe(EnvelopeStatus.OK);
      expect(readEnvelopeString(view, out, EnvelopeField.METHOD)).toBe('tools/call');
      expect(readEnvelopeString(view, out, EnvelopeField.TOOL_NAME)).toBe('naïve');
      expect(readEnvelopeValue(view, out, EnvelopeField.PROGRESS_TOKEN)).toBe(3);
    });

    it('scans an empty input and writes only its slots', () => {
      const out = new Int32Array(ENVELOPE_SCAN_SLOTS + 4).fill(7);
      expect(engine.scanEnvelopeInto(new Uint8Array(0), out)).toBe(EnvelopeStatus.PARSE_ERROR);
      expect(Array.from(out.subarray(0, 4))).toEqual([EnvelopeStatus.PARSE_ERROR, 0, 0, 1]);
      expect(Array.from(out.subarray(ENVELOPE_SCAN_SLOTS))).toEqual([7, 7, 7, 7]);
    });

    it('overwrites every slot of a reused out array', () => {
      const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
      engine.scanEnvelopeInto(Buffer.from(toolCall), out);
      const first = Array.from(out);
      engine.scanEnvelopeInto(Buffer.from('{"jsonrpc":"2.0","id":1,"result":{}}'), out);
      expect(readEnvelopeString(Buffer.from(toolCall), out, EnvelopeField.TOOL_NAME)).toBeUndefined();
      engine.scanEnvelopeInto(Buffer.from(toolCall), out);
      expect(Array.from(out)).toEqual(first);
    });

    it('returns the object form', () => {
      const bytes = Buffer.from(toolCall);
      const scan = engine.scanEnvelope(bytes);
      expect(scan.ok).toBe(true);
      if (!scan.ok) return;
      expect(scan.kind).toBe('request');
      expect(scan.fields.toolName).toEqual({ start: 67, end: 79, type: 'string', hasEscapes: true, isInteger: false });
      expect(scan.fields.progressToken?.isInteger).toBe(true);
      expect(scan.fields.resourceUri).toBeUndefined();
      expect(engine.scanEnvelope(Buffer.from('[1,2]'))).toEqual({ ok: true, kind: 'batch', batchCount: 2, fields: {} });
    });

    it('returns errors with class, code, offset, reason, message and the id when usable', () => {
      expect(engine.scanEnvelope(Buffer.from('{"a":01}'))).toEqual({
        ok: false,
        errorClass: 'parse',
        code: -32700,
        offset: 6,
        reason: 'INVALID_NUMBER',
        message: 'malformed JSON at byte 6: invalid number',
      });
      const invalid = engine.scanEnvelope(Buffer.from('{"jsonrpc":"1.0","id":"abc","method":"x"}'));
      expect(invalid).toMatchObject({ ok: false, errorClass: 'envelope', code: -32600, offset: 11, reason: 'JSONRPC_INVALID' });
      expect(!invalid.ok && invalid.id).toEqual({ start: 22, end: 27, type: 'string', hasEscapes: false, isInteger: false });
      expect(engine.scanEnvelope(Buffer.from('[[1]]'), { maxDepth: 1 })).toMatchObject({ errorClass: 'depth', code: 413, offset: 1 });
      expect(engine.scanEnvelope(Buffer.from('{}'), { maxSize: 1 })).toMatchObject({
        errorClass: 'size',
        code: 413,
        offset: 1,
        reason: 'SIZE_LIMIT',
        message: 'message larger than the limit of 1 bytes',
      });
    });
  });
}

describe('token decoding helpers', () => {
  it('decodes plain strings by slicing and escaped ones with JSON.parse', () => {
    const bytes = Buffer.from('"plain" "a\\"b\\u00e9\\ud83d\\ude00" "é中😀 and more than thirty-two bytes of text"');
    expect(decodeEnvelopeString(bytes, 0, 7, 0x01)).toBe('plain');
    expect(decodeEnvelopeString(bytes, 8, 32, 0x11)).toBe('a"bé😀');
    const long = bytes.subarray(33);
    expect(decodeEnvelopeString(long, 0, long.length, 0x01)).toBe('é中😀 and more than thirty-two bytes of text');
    expect(utf8Slice(Buffer.from('é'), 0, 2)).toBe('é');
    expect(decodeEnvelopeValue(Buffer.from('[1,{"a":null}]'), 0, 14)).toEqual([1, { a: null }]);
  });

  it('reads fields from the slots: absent or non-string fields give undefined', () => {
    const [engine] = testEngines();
    if (engine === undefined) return;
    const bytes = Buffer.from('{"jsonrpc":"2.0","id":5,"method":"ping"}');
    const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
    engine.scanEnvelopeInto(bytes, out);
    expect(readEnvelopeString(bytes, out, EnvelopeField.ID)).toBeUndefined();
    expect(readEnvelopeValue(bytes, out, EnvelopeField.ID)).toBe(5);
    expect(readEnvelopeString(bytes, out, EnvelopeField.PARAMS)).toBeUndefined();
    expect(readEnvelopeValue(bytes, out, EnvelopeField.PARAMS)).toBeUndefined();
    expect(readEnvelopeString(bytes, out, EnvelopeField.METHOD)).toBe('ping');
  });
});
