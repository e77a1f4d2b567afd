/** Status codes of the native C ABI (`gmcp_status`), mirrored by the JS engine's errors. */
export const EngineStatus = {
  OK: 0,
  INVALID_ARGUMENT: -1,
  OUT_OF_MEMORY: -2,
  LIMIT: -3,
  MALFORMED: -4,
  STATE: -5,
  NOT_FOUND: -6,
  INTERNAL: -99,
} as const;

/** One of the {@link EngineStatus} values. */
export type EngineStatusCode = (typeof EngineStatus)[keyof typeof EngineStatus];

const statusNames = new Map<number, string>(Object.entries(EngineStatus).map(([name, code]) => [code, name]));

/**
 * An engine primitive refused a call: a bad argument, an exhausted pool, a limit. Both engines
 * throw it with the same `status` for the same misuse, so callers never care which engine runs.
 */
export class EngineError extends Error {
  override readonly name = 'EngineError';

  constructor(
    /** The `gmcp_status` of the failure (negative). */
    readonly status: number,
    message: string,
  ) {
    super(`${statusNames.get(status) ?? `status ${status}`}: ${message}`);
  }
}
