/**
 * Conformance of the JSON-RPC envelope scanner: every vector of vectors/envelope-*.json runs on
 * both engines, must meet its expectation slot by slot, and both engines must write exactly the
 * same Int32Array.
 */
import { describe, expect, it } from 'vitest';

import {
  ENVELOPE_SCAN_SLOTS,
  EnvelopeReason,
  EnvelopeStatus,
  type EnvelopeLimits,
} from '../../src/engine/envelope/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { checkExpectation, envelopeVectorFiles, loadVectorFile, vectorBytes } from './envelope-vectors.js';

const engines = testEngines();

/** Length of `bytes` without trailing JSON whitespace: every shorter prefix is truncated. */
function valueEnd(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && [0x20, 0x0a, 0x0d, 0x09].includes(bytes[end - 1]!)) end--;
  return end;
}
const files = envelopeVectorFiles.map((name) => ({ name, file: loadVectorFile(name) }));

for (const engine of engines) {
  describe(engineTitle(engine), () => {
    for (const { name, file } of files) {
      describe(name, () => {
        for (const vector of file.vectors ?? []) {
          it(vector.name, () => {
            const bytes = vectorBytes(vector.input);
            const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
            const status = engine.scanEnvelopeInto(bytes, out, vector.limits);
            expect(status).toBe(out[0]);
            checkExpectation(bytes, out, vector.expect);
          });
        }
        for (const truncation of file.truncations ?? []) {
          it(`every prefix of ${truncation.name} ends unexpectedly`, () => {
            const bytes = vectorBytes(truncation.input);
            const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
            expect(engine.scanEnvelopeInto(bytes, out), 'the whole input is valid').toBe(EnvelopeStatus.OK);
            for (let length = 0; length < valueEnd(bytes); length++) {
              engine.scanEnvelopeInto(bytes.subarray(0, length), out);
              expect(Array.from(out.subarray(0, 4)), `prefix of ${length} bytes`).toEqual([
                EnvelopeStatus.PARSE_ERROR,
                0,
                length,
                EnvelopeReason.UNEXPECTED_END,
              ]);
            }
          });
        }
      });
    }
  });
}

describe('both engines write the same slots', () => {
  const [first, ...others] = engines;
  for (const { name, file } of files) {
    it(`${name}: every vector and every truncated prefix`, () => {
      if (first === undefined) return;
      const a = new Int32Array(ENVELOPE_SCAN_SLOTS);
      const b = new Int32Array(ENVELOPE_SCAN_SLOTS);
      const inputs: Array<{ label: string; bytes: Buffer; limits?: EnvelopeLimits }> = [];
      for (const vector of file.vectors ?? []) inputs.push({ label: vector.name, bytes: vectorBytes(vector.input), limits: vector.limits });
      for (const truncation of file.truncations ?? []) {
        const bytes = vectorBytes(truncation.input);
        for (let length = 0; length <= bytes.length; length++) {
          inputs.push({ label: `${truncation.name} [0, ${length})`, bytes: bytes.subarray(0, length) });
        }
      }
      for (const input of inputs) {
        first.scanEnvelopeInto(input.bytes, a, input.limits);
        for (const other of others) {
          other.scanEnvelopeInto(input.bytes, b, input.limits);
          expect(Array.from(b), `${input.label}: ${other.kind} vs ${first.kind}`).toEqual(Array.from(a));
        }
      }
      expect(engines.length).toBeGreaterThanOrEqual(1);
    });
  }
});
