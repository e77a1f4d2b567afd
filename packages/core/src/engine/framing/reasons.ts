import type { MalformedReason } from './types.js';

/** `GMCP_FRAME_MALFORMED_*` codes, indexed by code (0 is unused). */
export const MALFORMED_REASONS: readonly MalformedReason[] = [
  'truncated',
  'truncated',
  'invalid-header-line',
  'invalid-content-length',
  'duplicate-content-length',
  'missing-content-length',
  'header-too-long',
];
