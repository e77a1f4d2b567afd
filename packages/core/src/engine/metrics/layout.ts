import { EngineError, EngineStatus } from '../errors.js';
import type { HistogramOptions } from './types.js';

/** Sub-bucket bits for 1..5 significant digits: ceil(digits * log2(10)). */
const SUB_BITS = [4, 7, 10, 14, 17] as const;
/** The most explicit bounds. */
export const MAX_BOUNDS = 1024;
/** The most buckets of a histogram: 2^24. */
const MAX_BUCKETS = 16777216;

/** A one-double scratch, to read a double's bits through {@link scratchWords}. */
export const scratch = new Float64Array(1);
/** The two 32-bit words of {@link scratch}. */
export const scratchWords = new Uint32Array(scratch.buffer);
/** Index of the word holding sign, exponent and the top 20 mantissa bits. */
export const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The biased exponent of a double (bits 52..62). */
export function biasedExponent(value: number): number {
  scratch[0] = value;
  return ((scratchWords[HIGH] as number) >>> 20) & 0x7ff;
}

/** 2^exponent, exact, built from its bits (normal exponents). */
export function powerOfTwo(exponent: number): number {
  scratchWords[HIGH] = (exponent + 1023) << 20;
  scratchWords[1 - HIGH] = 0;
  return scratch[0] as number;
}

/** The validated options of a histogram and its bucket layout (the twin of metrics::Layout). */
export interface HistogramLayout {
  readonly significantDigits: number;
  readonly lowest: number;
  readonly highest: number;
  readonly bounds: readonly number[];
  /** p: 2^p buckets per power of two. */
  readonly subBits: number;
  readonly lowBiased: number;
  readonly highBiased: number;
  /** 2 + (E1 - E0 + 1) * 2^p. */
  readonly buckets: number;
}

function invalid(message: string): EngineError {
  return new EngineError(EngineStatus.INVALID_ARGUMENT, `histogram: ${message}`);
}

/** Validates histogram options (the same rules, in the same order, as gmcp_histogram_create). */
export function resolveHistogramOptions(options: HistogramOptions = {}): HistogramLayout {
  const significantDigits = options.significantDigits ?? 2;
  const lowest = options.lowest ?? 1e-6;
  const highest = options.highest ?? 1e6;
  const bounds = options.bounds ?? [];
  if (!(Number.isInteger(significantDigits) && significantDigits >= 1 && significantDigits <= 5)) {
    throw invalid('significantDigits must be 1..5');
  }
  if (!(typeof lowest === 'number' && typeof highest === 'number' && lowest >= powerOfTwo(-1000) && lowest <= highest && highest <= powerOfTwo(1000))) {
    throw invalid('need 2^-1000 <= lowest <= highest <= 2^1000');
  }
  if (!Array.isArray(bounds) || bounds.length > MAX_BOUNDS) throw invalid('at most 1024 bounds');
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i] as unknown;
    if (typeof bound !== 'number' || !Number.isFinite(bound) || (i > 0 && !(bound > (bounds[i - 1] as number)))) {
      throw invalid('bounds must be finite and strictly increasing');
    }
  }
  const subBits = SUB_BITS[significantDigits - 1] as number;
  const lowBiased = biasedExponent(lowest);
  const highBiased = biasedExponent(highest);
  const powers = highBiased - lowBiased + 1;
  if (powers > Math.floor((MAX_BUCKETS - 2) / 2 ** subBits)) {
    throw invalid('more than 2^24 buckets (narrow the range or the digits)');
  }
  return {
    significantDigits,
    lowest,
    highest,
    bounds: bounds.map((bound) => bound + 0),
    subBits,
    lowBiased,
    highBiased,
    buckets: 2 + powers * 2 ** subBits,
  };
}

/** Lower and upper edge of log-linear bucket `index` (the twin of Histogram::edges). */
export function bucketEdges(layout: HistogramLayout, index: number): [number, number] {
  const lowExponent = layout.lowBiased - 1023;
  const topExponent = layout.highBiased - 1023 + 1;
  if (index === 0) return [0, powerOfTwo(lowExponent)];
  if (index === layout.buckets - 1) return [powerOfTwo(topExponent), Infinity];
  const k = index - 1;
  const scale = 2 ** layout.subBits;
  const exponent = lowExponent + Math.floor(k / scale);
  const sub = k % scale;
  return [(1 + sub / scale) * powerOfTwo(exponent), (1 + (sub + 1) / scale) * powerOfTwo(exponent)];
}

/** Whether `value` may be recorded: a finite number >= 0. */
export function isValidValue(value: number): boolean {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_VALUE;
}

/** Whether two layouts may be merged: same digits, range exponents and bounds. */
export function sameLayout(a: HistogramLayout, b: HistogramLayout): boolean {
  if (a.subBits !== b.subBits || a.lowBiased !== b.lowBiased || a.highBiased !== b.highBiased) return false;
  if (a.bounds.length !== b.bounds.length) return false;
  return a.bounds.every((bound, i) => bound === b.bounds[i]);
}
