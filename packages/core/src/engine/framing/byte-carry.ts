/** A growable byte accumulator: the bytes of a frame that spans chunks (JS twin). */
export class ByteCarry {
  private bytes = new Uint8Array(0);
  /** Bytes held. */
  length = 0;

  /** Appends `source[start, end)`. */
  append(source: Uint8Array, start: number, end: number): void {
    const needed = this.length + (end - start);
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2, 256));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(source.subarray(start, end), this.length);
    this.length = needed;
  }

  /** The last byte held (the carry must not be empty). */
  last(): number {
    return this.bytes[this.length - 1] as number;
  }

  /** Forgets every byte. */
  clear(): void {
    this.length = 0;
  }

  /** A copy of the first `length` bytes, then forgets every byte. */
  take(length: number): Buffer {
    const out = Buffer.from(this.bytes.subarray(0, length));
    this.length = 0;
    return out;
  }
}
