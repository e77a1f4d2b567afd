/** The metrics primitives of the engine (filled in by the metrics work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MetricsEngine {}
