/** The framing primitives of the engine (filled in by the framing work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FramingEngine {}
