import type { Headers } from '@gopher-mcp/core';

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';

/** Headers always redacted (lower case). */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-amz-security-token',
  'x-csrf-token',
  'x-xsrf-token',
]);

/** Body keys (lower case, without `-` and `_`) that always hold secrets. */
const SECRET_KEYS = new Set(['authorization', 'cookie', 'setcookie', 'credentials', 'credential', 'apikey', 'secret', 'password', 'passwd', 'pwd']);
/** Endings of secret body keys (`accessToken`, `client_secret`, `dbPassword`, `x-api-key`, ...). */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'passwd', 'apikey', 'privatekey', 'sessionid'];
/** Keys with a secret-looking ending that are not secrets. */
const NOT_SECRET_KEYS = new Set(['progresstoken']);

/** String values that are credentials whatever their key: auth schemes and JWTs. */
const SECRET_VALUE = /^(?:(?:bearer|basic|digest|negotiate)\s+\S|eyJ[\w-]*\.eyJ[\w-]*\.)/i;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function isSecretKey(key: string): boolean {
  const normalized = normalizeKey(key);
  if (NOT_SECRET_KEYS.has(normalized)) return false;
  if (SECRET_KEYS.has(normalized)) return true;
  return SECRET_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

/**
 * Redaction rules: the built-in secrets plus the configured entries. An entry without a dot is a
 * header name or a body key at any depth (case-insensitive); a dotted entry is a path from the
 * message root (`params.arguments.card`), where `*` matches any key or index.
 */
export class Redactor {
  private readonly names: Set<string>;
  private readonly paths: ReadonlyArray<readonly string[]>;

  constructor(entries: readonly string[]) {
    this.names = new Set(entries.filter((e) => !e.includes('.')).map((e) => e.toLowerCase()));
    this.paths = entries.filter((e) => e.includes('.')).map((e) => e.split('.'));
  }

  /** A copy of `headers` with secret values replaced. */
  headers(headers: Headers): Record<string, string | readonly string[]> {
    const out: Record<string, string | readonly string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      out[lower] = SECRET_HEADERS.has(lower) || this.names.has(lower) ? REDACTED : value;
    }
    return out;
  }

  /** A copy of `value` (found at `path` from the message root) with secrets replaced. */
  body(value: unknown, path: readonly string[]): unknown {
    return this.walk(value, path, this.paths.filter((p) => p.length > path.length && prefixMatches(p, path)));
  }

  private walk(value: unknown, path: readonly string[], candidates: ReadonlyArray<readonly string[]>): unknown {
    if (typeof value === 'string') return SECRET_VALUE.test(value) ? REDACTED : value;
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      return value.map((item, index) => this.child(item, path, String(index), candidates, false));
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = this.child(item, path, key, candidates, true);
    }
    return out;
  }

  private child(item: unknown, path: readonly string[], key: string, candidates: ReadonlyArray<readonly string[]>, isKey: boolean): unknown {
    if (isKey && (isSecretKey(key) || this.names.has(key.toLowerCase()))) return REDACTED;
    const childPath = [...path, key];
    let narrowed: Array<readonly string[]> | undefined;
    for (const candidate of candidates) {
      const segment = candidate[path.length];
      if (segment !== '*' && segment !== key) continue;
      if (candidate.length === childPath.length) return REDACTED;
      (narrowed ??= []).push(candidate);
    }
    return this.walk(item, childPath, narrowed ?? []);
  }
}

function prefixMatches(pattern: readonly string[], path: readonly string[]): boolean {
  return path.every((segment, index) => pattern[index] === '*' || pattern[index] === segment);
}

const encoder = new TextEncoder();

/**
 * `value` serialised; when longer than `maxBytes` bytes of UTF-8, a string of its first
 * `maxBytes` bytes (cut on a character boundary) followed by a note of the full size.
 */
export function capBody(value: unknown, maxBytes: number): unknown {
  const json = JSON.stringify(value);
  if (json === undefined) return value;
  if (json.length <= maxBytes / 3) return value; // at most 3 bytes per UTF-16 unit: surely within the cap
  const bytes = encoder.encode(json);
  if (bytes.byteLength <= maxBytes) return value;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return `${new TextDecoder().decode(bytes.subarray(0, end))}…[truncated, ${bytes.byteLength} bytes]`;
}
