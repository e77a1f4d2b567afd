/** Char codes of the lower-case hex digits. */
const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/** 32 random bits. */
const random32 = (): number => (Math.random() * 4294967296) >>> 0;

const digit = (n: number): number => HEX[n & 15] as number;

/** 16 hex digits of two 32-bit words, in one string (no concatenation). */
function hex64(a: number, b: number): string {
  return String.fromCharCode(
    digit(a >>> 28),
    digit(a >>> 24),
    digit(a >>> 20),
    digit(a >>> 16),
    digit(a >>> 12),
    digit(a >>> 8),
    digit(a >>> 4),
    digit(a),
    digit(b >>> 28),
    digit(b >>> 24),
    digit(b >>> 20),
    digit(b >>> 16),
    digit(b >>> 12),
    digit(b >>> 8),
    digit(b >>> 4),
    digit(b),
  );
}

/*
 * Like the OpenTelemetry SDK's own id generator, these use Math.random: ids must be unique, not
 * secret, and a crypto call per id would cost more than the rest of an unsampled exchange. The
 * digits are made from 32-bit words in one String.fromCharCode call each (about a third of the
 * cost of concatenating byte pairs from a table).
 */

/** A random trace id (16 bytes as 32 hex digits, never all zero). */
export function randomTraceId(): string {
  for (;;) {
    const a = random32();
    const b = random32();
    const c = random32();
    const d = random32();
    if ((a | b | c | d) !== 0) return hex64(a, b) + hex64(c, d);
  }
}

/** A random span id (8 bytes as 16 hex digits, never all zero). */
export function randomSpanId(): string {
  for (;;) {
    const a = random32();
    const b = random32();
    if ((a | b) !== 0) return hex64(a, b);
  }
}
