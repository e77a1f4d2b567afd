/** The JSON-RPC envelope scanner: result layout, types and token decoding helpers. */
export * from './layout.js';
export type * from './types.js';
export { envelopeScanFromSlots, envelopeTokenAt } from './scan-result.js';
export {
  decodeEnvelopeString,
  decodeEnvelopeToken,
  decodeEnvelopeValue,
  readEnvelopeString,
  readEnvelopeValue,
} from './decode.js';
