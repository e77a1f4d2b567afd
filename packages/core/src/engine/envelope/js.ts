import { JsEnvelopeScanner } from './js-scanner.js';
import { ENVELOPE_SCAN_SLOTS, type EnvelopeStatusCode } from './layout.js';
import { checkEnvelopeArguments, envelopeMaxDepth, envelopeMaxSize } from './limits.js';
import { envelopeScanFromSlots } from './scan-result.js';
import type { EnvelopeEngine } from './types.js';

/** The TypeScript twin of the envelope primitives. */
export function createJsEnvelopeEngine(): EnvelopeEngine {
  const scanner = new JsEnvelopeScanner();
  const scratch = new Int32Array(ENVELOPE_SCAN_SLOTS);
  const scanEnvelopeInto: EnvelopeEngine['scanEnvelopeInto'] = (bytes, out, limits) => {
    checkEnvelopeArguments(bytes, out);
    scanner.scan(bytes, envelopeMaxDepth(limits), envelopeMaxSize(limits), out);
    return out[0] as EnvelopeStatusCode;
  };
  return {
    scanEnvelopeInto,
    scanEnvelope(bytes, limits) {
      scanEnvelopeInto(bytes, scratch, limits);
      return envelopeScanFromSlots(scratch);
    },
  };
}
