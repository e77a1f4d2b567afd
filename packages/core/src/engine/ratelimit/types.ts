/** The ratelimit primitives of the engine (filled in by the ratelimit work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RateLimitEngine {}
