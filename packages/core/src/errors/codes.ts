/**
 * The stable error codes of Gopher MCP (DESIGN section 4). JSON-RPC's own codes for malformed input
 * and internal failures; HTTP-aligned codes, outside JSON-RPC's reserved range and MCP's
 * -32020..-32099, for the filter outcomes. Transports with HTTP status codes use the same numbers.
 */
export const ErrorCode = {
  /** Malformed JSON; `data.offset` is where parsing failed. */
  PARSE_ERROR: -32700,
  /** Invalid envelope, a batch where not allowed, a header/body mismatch; `data.reason`. */
  INVALID_REQUEST: -32600,
  /** A filter failed and the fallback is REJECT; `data.filter`. */
  INTERNAL_ERROR: -32603,
  /** No or bad credentials; `data.wwwAuthenticate`. */
  UNAUTHORIZED: 401,
  /** Authenticated but not allowed; `data.rule`. */
  FORBIDDEN: 403,
  /** Message over a size limit; `data.limit`. */
  PAYLOAD_TOO_LARGE: 413,
  /** Rate limited; `data.retryAfterMs`, `data.limit`. */
  RATE_LIMITED: 429,
  /** Circuit open or no healthy upstream; `data.retryAfterMs`. */
  UNAVAILABLE: 503,
  /** Upstream timeout; `data.timeoutMs`. */
  TIMEOUT: 504,
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** True when `code` is one of the HTTP-aligned filter outcome codes (401 ... 504). */
export function isHttpAlignedCode(code: number): boolean {
  return code >= 400 && code <= 599;
}
