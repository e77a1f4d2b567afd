/**
 * Reading 64-bit out-parameters as two 32-bit words (no BigInt): the index of the low and high
 * word of 64-bit value `i` in a Uint32Array/Int32Array over the same memory, for this host's byte order.
 */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Index of the low 32-bit word of the 64-bit value at index `i`. */
export function lowWord(i: number): number {
  return littleEndian ? 2 * i : 2 * i + 1;
}

/** Index of the high 32-bit word of the 64-bit value at index `i`. */
export function highWord(i: number): number {
  return littleEndian ? 2 * i + 1 : 2 * i;
}

/** 2^32. */
export const WORD = 4294967296;
