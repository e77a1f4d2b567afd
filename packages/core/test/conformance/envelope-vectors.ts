/**
 * Loading and checking of the envelope conformance vectors (vectors/envelope-*.json).
 *
 * A vector: `{ name, input: InputSpec, limits?, expect }` where `expect` gives
 * - `status`: an EnvelopeStatus name; `kind`: an EnvelopeKind name (OK only); `batchCount`;
 * - `reason`: an EnvelopeReason name, and the error offset as `offset` (a number) or `offsetOf`
 *   (the byte index of the first occurrence of that text in the input, read as latin1);
 * - `fields`: for each field present, its raw token text (`"\"tools/call\""`, `"1"`, `"{...}"`)
 *   or `{ "start": n, "end": n }`; every field not listed must be absent. The flags slot is
 *   derived from the raw text (type from the first byte, ESCAPES when a string holds a backslash,
 *   INTEGER for a number without `.`, `e`, `E`), and the idType slot from the id.
 * A truncation entry `{ name, input }` requires every strict prefix of its input to fail with
 * UNEXPECTED_END at the prefix's length.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

import {
  ENVELOPE_FIELD_STRIDE,
  ENVELOPE_FLAG_ESCAPES,
  ENVELOPE_FLAG_INTEGER,
  ENVELOPE_TOKEN_TYPE_MASK,
  EnvelopeField,
  EnvelopeKind,
  EnvelopeReason,
  EnvelopeSlot,
  EnvelopeStatus,
  EnvelopeTokenType,
  type EnvelopeLimits,
} from '../../src/engine/envelope/index.js';
import { inputBytes, type InputSpec } from '../helpers/vector-input.js';

type FieldName =
  | 'id'
  | 'method'
  | 'params'
  | 'result'
  | 'error'
  | 'toolName'
  | 'resourceUri'
  | 'promptName'
  | 'meta'
  | 'progressToken'
  | 'traceparent'
  | 'tracestate';

const fieldIndex: Readonly<Record<FieldName, number>> = {
  id: EnvelopeField.ID,
  method: EnvelopeField.METHOD,
  params: EnvelopeField.PARAMS,
  result: EnvelopeField.RESULT,
  error: EnvelopeField.ERROR,
  toolName: EnvelopeField.TOOL_NAME,
  resourceUri: EnvelopeField.RESOURCE_URI,
  promptName: EnvelopeField.PROMPT_NAME,
  meta: EnvelopeField.META,
  progressToken: EnvelopeField.PROGRESS_TOKEN,
  traceparent: EnvelopeField.TRACEPARENT,
  tracestate: EnvelopeField.TRACESTATE,
};

type FieldExpectation = string | { readonly start: number; readonly end: number; readonly flags: number };

/** What a vector expects. */
export interface VectorExpectation {
  readonly status: keyof typeof EnvelopeStatus;
  readonly kind?: keyof typeof EnvelopeKind;
  readonly batchCount?: number;
  readonly reason?: keyof typeof EnvelopeReason;
  readonly offset?: number;
  readonly offsetOf?: string;
  readonly fields?: Readonly<Partial<Record<FieldName, FieldExpectation>>>;
}

/** One conformance vector. */
export interface EnvelopeVector {
  readonly name: string;
  readonly input: InputSpec;
  readonly limits?: EnvelopeLimits;
  readonly expect: VectorExpectation;
}

/** One truncation entry: every strict prefix must be UNEXPECTED_END at its length. */
export interface TruncationVector {
  readonly name: string;
  readonly input: InputSpec;
}

interface VectorFile {
  readonly description?: string;
  readonly vectors?: readonly EnvelopeVector[];
  readonly truncations?: readonly TruncationVector[];
}

const vectorDir = join(dirname(fileURLToPath(import.meta.url)), 'vectors');

/** The vector files of the envelope family, by name. */
export const envelopeVectorFiles = ['envelope-valid', 'envelope-invalid', 'envelope-malformed', 'envelope-limits'] as const;

/** Reads one vector file. */
export function loadVectorFile(name: string): VectorFile {
  return JSON.parse(readFileSync(join(vectorDir, `${name}.json`), 'utf8')) as VectorFile;
}

/** The flags slot a raw token text implies. */
export function flagsOfRaw(raw: string): number {
  const first = raw[0];
  if (first === '"') return EnvelopeTokenType.STRING | (raw.includes('\\') ? ENVELOPE_FLAG_ESCAPES : 0);
  if (first === '{') return EnvelopeTokenType.OBJECT;
  if (first === '[') return EnvelopeTokenType.ARRAY;
  if (first === 't') return EnvelopeTokenType.TRUE;
  if (first === 'f') return EnvelopeTokenType.FALSE;
  if (first === 'n') return EnvelopeTokenType.NULL;
  return EnvelopeTokenType.NUMBER | (/[.eE]/.test(raw) ? 0 : ENVELOPE_FLAG_INTEGER);
}

/** Checks a scan result `out` of `bytes` against a vector's expectation (every slot). */
export function checkExpectation(bytes: Buffer, out: Int32Array, expectation: VectorExpectation): void {
  const status = EnvelopeStatus[expectation.status];
  const offset =
    expectation.offsetOf !== undefined ? bytes.toString('latin1').indexOf(expectation.offsetOf) : (expectation.offset ?? -1);
  if (expectation.offsetOf !== undefined) expect(offset, `offsetOf ${expectation.offsetOf}`).toBeGreaterThanOrEqual(0);
  const fields = expectation.fields ?? {};
  const idExpectation = fields.id;
  const idFlags = idExpectation === undefined ? 0 : typeof idExpectation === 'string' ? flagsOfRaw(idExpectation) : idExpectation.flags;
  const header = [
    status,
    expectation.kind === undefined ? 0 : EnvelopeKind[expectation.kind],
    status === EnvelopeStatus.OK ? -1 : offset,
    expectation.reason === undefined ? 0 : EnvelopeReason[expectation.reason],
    expectation.batchCount ?? 0,
    idFlags & ENVELOPE_TOKEN_TYPE_MASK,
  ];
  expect(Array.from(out.subarray(0, EnvelopeSlot.FIRST_FIELD)), 'status, kind, offset, reason, batchCount, idType').toEqual(header);
  for (const [name, index] of Object.entries(fieldIndex) as Array<[FieldName, number]>) {
    const slot = EnvelopeSlot.FIRST_FIELD + ENVELOPE_FIELD_STRIDE * index;
    const [start, end, flags] = [out[slot]!, out[slot + 1]!, out[slot + 2]!];
    const wanted = fields[name];
    if (wanted === undefined) {
      expect([start, end, flags], `field ${name} absent`).toEqual([-1, -1, 0]);
    } else if (typeof wanted === 'string') {
      expect(start, `field ${name} present`).toBeGreaterThanOrEqual(0);
      expect(bytes.subarray(start, end).toString('utf8'), `field ${name} token`).toBe(wanted);
      expect(flags, `field ${name} flags`).toBe(flagsOfRaw(wanted));
    } else {
      expect([start, end, flags], `field ${name}`).toEqual([wanted.start, wanted.end, wanted.flags]);
    }
  }
}

/** The bytes of a vector (built once per vector). */
export function vectorBytes(spec: InputSpec): Buffer {
  return inputBytes(spec);
}
