import type { NativeLibrary } from '../native-library/library.js';
import { ENVELOPE_SCAN_SLOTS, type EnvelopeStatusCode } from './layout.js';
import { checkEnvelopeArguments, envelopeMaxDepth, envelopeMaxSize } from './limits.js';
import { envelopeScanFromSlots } from './scan-result.js';
import type { EnvelopeEngine } from './types.js';

type ScanFunction = (
  bytes: Uint8Array,
  length: number,
  maxDepth: number,
  maxSize: number,
  out: Int32Array,
  outSlots: number,
) => number;

/** The envelope primitives over libgopher_mcp_c: one FFI call per scan, bytes and out passed without copy. */
export function createNativeEnvelopeEngine(library: NativeLibrary): EnvelopeEngine {
  const scan = library.lib.func(
    'int32_t gmcp_envelope_scan(const uint8_t *bytes, size_t length, uint32_t max_depth, uint32_t max_size, int32_t *out, size_t out_slots)',
  ) as ScanFunction;
  const scratch = new Int32Array(ENVELOPE_SCAN_SLOTS);
  const scanEnvelopeInto: EnvelopeEngine['scanEnvelopeInto'] = (bytes, out, limits) => {
    checkEnvelopeArguments(bytes, out);
    const status = scan(bytes, bytes.length, envelopeMaxDepth(limits), envelopeMaxSize(limits), out, out.length);
    if (status !== 0) library.check(status, 'gmcp_envelope_scan');
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
