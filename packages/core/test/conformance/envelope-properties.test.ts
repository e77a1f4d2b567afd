/**
 * Property tests of the envelope scanner (seeded, reproducible):
 * - random valid MCP messages: the tokens the scan points at, decoded with JSON.parse (and with the
 *   cheap decode helpers), equal what JSON.parse of the whole message gives; every prefix ends
 *   unexpectedly;
 * - random byte mutations and random byte soup: both engines write exactly the same slots, nothing
 *   crashes, and "malformed" agrees with an independent oracle (strict UTF-8 decode + JSON.parse +
 *   no unpaired surrogate); an accepted message satisfies a reference check on the parsed object.
 */
import { describe, expect, it } from 'vitest';

import {
  ENVELOPE_FIELD_STRIDE,
  ENVELOPE_SCAN_SLOTS,
  EnvelopeField,
  EnvelopeKind,
  EnvelopeReason,
  EnvelopeSlot,
  EnvelopeStatus,
  decodeEnvelopeToken,
  envelopeTokenAt,
  readEnvelopeValue,
  type EnvelopeFieldIndex,
} from '../../src/engine/envelope/index.js';
import type { Engine } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { SeededRandom, generateMessage } from './envelope-generator.js';

const engines = testEngines();

const fieldsByName: ReadonlyArray<readonly [string, EnvelopeFieldIndex]> = [
  ['id', EnvelopeField.ID],
  ['method', EnvelopeField.METHOD],
  ['params', EnvelopeField.PARAMS],
  ['result', EnvelopeField.RESULT],
  ['error', EnvelopeField.ERROR],
  ['toolName', EnvelopeField.TOOL_NAME],
  ['resourceUri', EnvelopeField.RESOURCE_URI],
  ['promptName', EnvelopeField.PROMPT_NAME],
  ['meta', EnvelopeField.META],
  ['progressToken', EnvelopeField.PROGRESS_TOKEN],
  ['traceparent', EnvelopeField.TRACEPARENT],
  ['tracestate', EnvelopeField.TRACESTATE],
];

const kindNumbers = { request: EnvelopeKind.REQUEST, notification: EnvelopeKind.NOTIFICATION, result: EnvelopeKind.RESULT, error: EnvelopeKind.ERROR };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const unpairedSurrogate = /\p{Cs}/u;

function hasUnpairedSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return unpairedSurrogate.test(value);
  if (Array.isArray(value)) return value.some(hasUnpairedSurrogate);
  if (isPlainObject(value)) return Object.entries(value).some(([key, item]) => unpairedSurrogate.test(key) || hasUnpairedSurrogate(item));
  return false;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The oracle: strict UTF-8, JSON.parse, and no unpaired surrogate anywhere. */
function oracleParse(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  return hasUnpairedSurrogate(value) ? { ok: false } : { ok: true, value };
}

const isStringOrNumber = (value: unknown): boolean => typeof value === 'string' || typeof value === 'number';

/** The fields an accepted message must decode to, from its parsed value (null when the message cannot be valid). */
function referenceFields(message: unknown): Record<string, unknown> | null {
  if (!isPlainObject(message) || message.jsonrpc !== '2.0') return null;
  const fields: Record<string, unknown> = {};
  for (const key of ['id', 'method', 'params', 'result', 'error']) if (key in message) fields[key] = message[key];
  if ('id' in message && message.id !== null && !isStringOrNumber(message.id)) return null;
  if ('method' in message) {
    const { method, params } = message;
    if (typeof method !== 'string' || 'result' in message || 'error' in message || message.id === null) return null;
    if ('params' in message && typeof params !== 'object') return null;
    if (params === null) return null;
    if (isPlainObject(params)) {
      if ('_meta' in params) {
        const meta = params._meta;
        if (!isPlainObject(meta)) return null;
        fields.meta = meta;
        if ('progressToken' in meta && !isStringOrNumber(meta.progressToken)) return null;
        for (const key of ['progressToken', 'traceparent', 'tracestate']) if (key in meta) fields[key] = meta[key];
        if ('traceparent' in meta && typeof meta.traceparent !== 'string') return null;
        if ('tracestate' in meta && typeof meta.tracestate !== 'string') return null;
      }
      const named = method === 'tools/call' || method === 'prompts/get';
      if (named && 'name' in params && typeof params.name !== 'string') return null;
      if (method === 'tools/call' && 'name' in params) fields.toolName = params.name;
      if (method === 'prompts/get' && 'name' in params) fields.promptName = params.name;
      const resource = ['resources/read', 'resources/subscribe', 'resources/unsubscribe'].includes(method);
      if (resource && 'uri' in params && typeof params.uri !== 'string') return null;
      if (resource && 'uri' in params) fields.resourceUri = params.uri;
    }
    return fields;
  }
  if ('params' in message || 'result' in message === 'error' in message || !('id' in message)) return null;
  if ('result' in message && message.id === null) return null;
  if ('error' in message && !isPlainObject(message.error)) return null;
  return fields;
}

/** Checks that every field of `out` decodes to `expected[name]` and that no other field is set. */
function checkFields(bytes: Buffer, out: Int32Array, expected: Readonly<Record<string, unknown>>): void {
  for (const [name, field] of fieldsByName) {
    const token = envelopeTokenAt(out, field);
    if (!(name in expected)) {
      expect(token, `${name} absent`).toBeUndefined();
      continue;
    }
    expect(token, `${name} present`).toBeDefined();
    if (token === undefined) continue;
    const raw = bytes.subarray(token.start, token.end).toString('utf8');
    expect(JSON.parse(raw), `${name} token ${raw}`).toEqual(expected[name]);
    expect(decodeEnvelopeToken(bytes, token), `${name} decoded cheaply`).toEqual(expected[name]);
    expect(readEnvelopeValue(bytes, out, field), `${name} read from the slots`).toEqual(expected[name]);
    if (token.type === 'string') expect(token.hasEscapes, `${name} escape flag`).toBe(raw.includes('\\'));
  }
}

function trimmedLength(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && [0x20, 0x0a, 0x0d, 0x09].includes(bytes[end - 1]!)) end--;
  return end;
}

const interestingBytes = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x00, 0x1f, 0x20, 0x75, 0x65, 0x2d, 0x30, 0x2e, 0x80, 0xbf, 0xc0, 0xc3, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff];

function mutate(rng: SeededRandom, input: Buffer): Buffer {
  let bytes = Buffer.from(input);
  for (let m = 1 + rng.int(3); m > 0; m--) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (at < bytes.length) bytes[at] = rng.int(256);
        break;
      case 1:
        if (at < bytes.length) bytes[at] = rng.pick(interestingBytes);
        break;
      case 2:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        break;
      case 3:
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.of(rng.pick(interestingBytes)), bytes.subarray(at)]);
        break;
      case 4: {
        const from = rng.int(bytes.length + 1);
        const slice = bytes.subarray(from, from + rng.int(12));
        bytes = Buffer.concat([bytes.subarray(0, at), slice, bytes.subarray(at)]);
        break;
      }
      default:
        bytes = bytes.subarray(0, at);
        break;
    }
  }
  return bytes;
}

const soupBytes = ['ed a0 80', 'ed 9f bf', 'e0 80 80', 'e0 a0 80', 'f4 90 80 80', 'f4 8f bf bf', 'c0 80', 'c2 80', 'f0 9f 98 80', 'e2 82', 'c3', '80', 'ff'].map((hex) =>
  Buffer.from(hex.replace(/ /g, ''), 'hex'),
);

const soup = ['{', '}', '[', ']', '"', ':', ',', '\\', 'u', 'd', '8', '0', 'a', 'e', 'E', '-', '+', '.', '1', ' ', 'true', 'null', 'fals', '"id"', '"jsonrpc"', '"2.0"', '"method"', '"params"', '"name"', '"_meta"', '\\ud83d', '\\ude00', '\u00e9', '\u{1f600}'];

function randomSoup(rng: SeededRandom): Buffer {
  const parts: Buffer[] = [];
  for (let i = rng.int(40); i > 0; i--) {
    const roll = rng.next();
    parts.push(roll < 0.05 ? Buffer.of(rng.int(256)) : roll < 0.15 ? rng.pick(soupBytes) : Buffer.from(rng.pick(soup)));
  }
  return Buffer.concat(parts);
}

/** Scans with every engine, requires identical slots, and returns them. */
function scanAll(bytes: Buffer, label: string): Int32Array {
  const [first, ...others] = engines as [Engine, ...Engine[]];
  const reference = new Int32Array(ENVELOPE_SCAN_SLOTS);
  first.scanEnvelopeInto(bytes, reference);
  const other = new Int32Array(ENVELOPE_SCAN_SLOTS);
  for (const engine of others) {
    engine.scanEnvelopeInto(bytes, other);
    expect(Array.from(other), `${label}: ${engine.kind} vs ${first.kind} on ${bytes.toString('hex')}`).toEqual(Array.from(reference));
  }
  return reference;
}

/** Checks a verdict against the oracle and, when accepted, against the reference check. */
function checkAgainstOracle(bytes: Buffer, out: Int32Array, label: string): void {
  const status = out[EnvelopeSlot.STATUS]!;
  const offset = out[EnvelopeSlot.ERROR_OFFSET]!;
  if (status === EnvelopeStatus.DEPTH_LIMIT) return;
  const oracle = oracleParse(bytes);
  const where = `${label}: ${bytes.toString('hex')}`;
  if (status === EnvelopeStatus.PARSE_ERROR) {
    expect(oracle.ok, `${where} is malformed for the scanner only`).toBe(false);
    expect(offset >= 0 && offset <= bytes.length, `${where} offset ${offset}`).toBe(true);
    if (out[EnvelopeSlot.REASON] === EnvelopeReason.UNEXPECTED_END) expect(offset).toBe(bytes.length);
    return;
  }
  expect(oracle.ok, `${where} is malformed for the oracle only`).toBe(true);
  if (!oracle.ok || status !== EnvelopeStatus.OK) return;
  if (out[EnvelopeSlot.KIND] === EnvelopeKind.BATCH) {
    expect(Array.isArray(oracle.value) && oracle.value.length === out[EnvelopeSlot.BATCH_COUNT]).toBe(true);
    return;
  }
  const fields = referenceFields(oracle.value);
  expect(fields, `${where} accepted but the reference check rejects it`).not.toBeNull();
  if (fields !== null) checkFields(bytes, out, fields);
}

describe('random valid MCP messages (seeded)', () => {
  for (const engine of engines) {
    it(`${engineTitle(engine)}: fields decode to what JSON.parse of the whole message gives`, () => {
      const rng = new SeededRandom(20250601);
      const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
      for (let n = 0; n < 1500; n++) {
        const message = generateMessage(rng);
        const bytes = Buffer.from(message.text, 'utf8');
        engine.scanEnvelopeInto(bytes, out);
        expect([out[0], out[1]], `message ${n}: ${message.text}`).toEqual([EnvelopeStatus.OK, kindNumbers[message.kind]]);
        const whole = JSON.parse(message.text) as Record<string, unknown>;
        expect(referenceFields(whole)).toEqual(message.expected);
        checkFields(bytes, out, message.expected);
        const idToken = envelopeTokenAt(out, EnvelopeField.ID);
        expect(out[EnvelopeSlot.ID_TYPE]).toBe(idToken === undefined ? 0 : out[EnvelopeSlot.FIRST_FIELD + ENVELOPE_FIELD_STRIDE * EnvelopeField.ID + 2]! & 0x0f);
      }
    });
  }

  it('every engine agrees on random messages and their truncations', () => {
    const rng = new SeededRandom(77);
    for (let n = 0; n < 600; n++) {
      const bytes = Buffer.from(generateMessage(rng).text, 'utf8');
      const end = trimmedLength(bytes);
      for (let k = 0; k < 4; k++) {
        const length = rng.int(end);
        const out = scanAll(bytes.subarray(0, length), `message ${n} cut at ${length}`);
        expect([out[0], out[2], out[3]]).toEqual([EnvelopeStatus.PARSE_ERROR, length, EnvelopeReason.UNEXPECTED_END]);
      }
    }
  });
});

describe('random mutations and byte soup (seeded)', () => {
  it('byte mutations of valid messages: identical slots on every engine, verdicts match the oracle', () => {
    const rng = new SeededRandom(424242);
    for (let n = 0; n < 5000; n++) {
      const bytes = mutate(rng, Buffer.from(generateMessage(rng).text, 'utf8'));
      checkAgainstOracle(bytes, scanAll(bytes, `mutation ${n}`), `mutation ${n}`);
    }
  });

  it('random JSON-ish byte soup: identical slots on every engine, verdicts match the oracle', () => {
    const rng = new SeededRandom(1337);
    for (let n = 0; n < 5000; n++) {
      const bytes = randomSoup(rng);
      checkAgainstOracle(bytes, scanAll(bytes, `soup ${n}`), `soup ${n}`);
    }
  });
});
