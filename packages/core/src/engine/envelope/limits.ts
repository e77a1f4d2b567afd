import { EngineError, EngineStatus } from '../errors.js';
import {
  DEFAULT_ENVELOPE_MAX_DEPTH,
  DEFAULT_ENVELOPE_MAX_SIZE,
  ENVELOPE_MAX_DEPTH_LIMIT,
  ENVELOPE_MAX_SIZE_LIMIT,
  ENVELOPE_SCAN_SLOTS,
} from './layout.js';
import type { EnvelopeLimits } from './types.js';

function checkedInteger(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EngineError(EngineStatus.INVALID_ARGUMENT, `envelope scan: ${name} must be an integer in ${min}..${max}`);
  }
  return value;
}

/** The maxDepth of `limits` (default 64); throws EngineError(INVALID_ARGUMENT) outside 1..65535. */
export function envelopeMaxDepth(limits: EnvelopeLimits | undefined): number {
  const value = limits?.maxDepth;
  return value === undefined ? DEFAULT_ENVELOPE_MAX_DEPTH : checkedInteger(value, 'maxDepth', 1, ENVELOPE_MAX_DEPTH_LIMIT);
}

/** The maxSize of `limits` (default 4 MiB); throws EngineError(INVALID_ARGUMENT) outside 0..2^31-1. */
export function envelopeMaxSize(limits: EnvelopeLimits | undefined): number {
  const value = limits?.maxSize;
  return value === undefined ? DEFAULT_ENVELOPE_MAX_SIZE : checkedInteger(value, 'maxSize', 0, ENVELOPE_MAX_SIZE_LIMIT);
}

/** Throws EngineError(INVALID_ARGUMENT) unless `bytes` is a Uint8Array and `out` can hold a scan result. */
export function checkEnvelopeArguments(bytes: Uint8Array, out: Int32Array): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'envelope scan: bytes must be a Uint8Array');
  }
  if (!(out instanceof Int32Array) || out.length < ENVELOPE_SCAN_SLOTS) {
    throw new EngineError(
      EngineStatus.INVALID_ARGUMENT,
      `envelope scan: out must be an Int32Array of at least ${ENVELOPE_SCAN_SLOTS} slots`,
    );
  }
}
