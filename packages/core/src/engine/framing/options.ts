import { requireInRange } from '../buffers/arguments.js';
import { EngineError, EngineStatus } from '../errors.js';
import { DEFAULT_MAX_FRAME_SIZE, MAX_FRAME_SIZE, type FramerOptions, type FramingKind } from './types.js';

/** Checked framer options. */
export interface CheckedFramerOptions {
  readonly kind: FramingKind;
  readonly maxFrameSize: number;
}

/** Validates framer options the same way for both engines (`INVALID_ARGUMENT` when wrong). */
export function checkFramerOptions(options: FramerOptions): CheckedFramerOptions {
  const kind: unknown = options.kind;
  if (kind !== 'ndjson' && kind !== 'content-length') {
    throw new EngineError(EngineStatus.INVALID_ARGUMENT, `framer kind must be ndjson or content-length, got ${String(kind)}`);
  }
  const maxFrameSize = requireInRange(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE, 1, MAX_FRAME_SIZE, 'maxFrameSize');
  return { kind, maxFrameSize };
}
