import { EngineError, EngineStatus } from '../errors.js';

/**
 * Checks that `value` is a non-negative safe integer (a size, an offset, a count) and returns it;
 * throws `EngineError(INVALID_ARGUMENT)` otherwise. Both engines validate with it, so the same bad
 * argument fails with the same status whichever engine runs.
 */
export function requireSize(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EngineError(EngineStatus.INVALID_ARGUMENT, `${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** Checks that `value` is an integer in `[min, max]` and returns it; `INVALID_ARGUMENT` otherwise. */
export function requireInRange(value: number, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new EngineError(EngineStatus.INVALID_ARGUMENT, `${what} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks that `value` is a Uint8Array (a Buffer is one); `INVALID_ARGUMENT` otherwise. */
export function requireBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new EngineError(EngineStatus.INVALID_ARGUMENT, `${what} must be a Uint8Array`);
  }
  return value;
}

/** The `STATE` error of a call on a closed object. */
export function closedError(what: string): EngineError {
  return new EngineError(EngineStatus.STATE, `${what} is closed`);
}
