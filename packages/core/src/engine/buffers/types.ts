/** The buffers primitives of the engine (filled in by the buffers work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BufferEngine {}
