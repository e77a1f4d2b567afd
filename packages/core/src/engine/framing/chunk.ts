/** `chunk` as a Buffer over the same memory (no copy), for the memchr-fast `indexOf`. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
