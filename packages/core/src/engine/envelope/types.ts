/** The envelope primitives of the engine (filled in by the envelope work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EnvelopeEngine {}
