import { EngineError, EngineStatus } from '../errors.js';

/** The error of a call on a closed metrics object. */
export function closedError(what: string): EngineError {
  return new EngineError(EngineStatus.STATE, `${what}: closed`);
}

/** An INVALID_ARGUMENT error. */
export function invalidArgument(message: string): EngineError {
  return new EngineError(EngineStatus.INVALID_ARGUMENT, message);
}

/** Validates the `count` argument of recordMany and returns it. */
export function recordManyCount(values: Float64Array, count: number | undefined): number {
  if (!(values instanceof Float64Array)) throw invalidArgument('histogram record many: values must be a Float64Array');
  const n = count ?? values.length;
  if (!(Number.isInteger(n) && n >= 0 && n <= values.length)) {
    throw invalidArgument('histogram record many: count must be an integer in [0, values.length]');
  }
  return n;
}

/** Validates a quantile. */
export function checkQuantile(q: number): void {
  if (!(typeof q === 'number' && q >= 0 && q <= 1)) throw invalidArgument('histogram quantile: q must be in [0, 1]');
}

/** Validates a counter index. */
export function checkIndex(index: number, size: number): void {
  if (!(Number.isInteger(index) && index >= 0 && index < size)) throw invalidArgument('counters: index out of range');
}

/** Validates a counter amount. */
export function checkAmount(amount: number): void {
  if (!(typeof amount === 'number' && amount >= 0 && amount <= Number.MAX_VALUE)) {
    throw invalidArgument('counters: amount must be finite and >= 0');
  }
}

/** Validates the size of a counter set. */
export function checkCounterCount(size: number): void {
  if (!(Number.isInteger(size) && size >= 1 && size <= 1048576)) throw invalidArgument('counters: size must be 1..2^20');
}
