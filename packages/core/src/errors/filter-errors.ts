/**
 * Thrown (or returned through `exchange.deny`) by a filter that refuses a message. The chain turns
 * it into a JSON-RPC error response carrying the request's id; it is an outcome, not a failure, so
 * the fallback behaviour never applies to it.
 */
const DENIAL_BRAND = Symbol.for('gopher-mcp.filter-denied');

export class FilterDeniedError extends Error {
  override readonly name = 'FilterDeniedError';
  /** Recognised across copies of this package (ESM and CJS builds loaded side by side). */
  readonly [DENIAL_BRAND] = true;

  /** True when `value` is a FilterDeniedError from any copy of @gopher-mcp/core. */
  static is(value: unknown): value is FilterDeniedError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DENIAL_BRAND] === true;
  }

  constructor(
    /** The error code (see `ErrorCode`). */
    readonly code: number,
    message: string,
    /** Structured detail for the peer (never secrets). */
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A configuration that cannot be used: the message names the path and the reason. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';

  constructor(
    message: string,
    /** Every problem found, each with its dotted path. */
    readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }> = [],
  ) {
    super(message);
  }
}

/** A config enables a filter whose family package is not installed. */
export class MissingFamilyError extends ConfigError {
  override readonly name = 'MissingFamilyError';

  constructor(
    /** The filter type id that needs the package. */
    readonly filterType: string,
    /** The npm package to install. */
    readonly packageName: string,
    cause?: unknown,
  ) {
    super(
      `filter "${filterType}" needs the package ${packageName}, which is not installed: npm install ${packageName}`,
      [{ path: filterType, message: `install ${packageName}` }],
    );
    if (cause !== undefined) this.cause = cause;
  }
}

/** An exchange was used after the manager or chain that owns it was closed. */
export class ClosedError extends Error {
  override readonly name = 'ClosedError';
}
