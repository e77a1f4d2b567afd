/** Helpers over claim sets: dotted-path reads, string lists, value matching. */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a claim: an exact top-level name first (`https://example.com/roles`), then a dotted path
 * through nested objects (`realm_access.roles`). Own properties only.
 */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  if (!path.includes('.')) return undefined;
  let current: unknown = claims;
  for (const part of path.split('.')) {
    if (!isRecord(current) || !Object.hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}

/** A claim as a list of strings: a space-separated string, or the strings of an array. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s.length > 0);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Structural equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether a claim value satisfies a condition: equal, or (for an array claim and a scalar condition) contains it. */
export function claimMatches(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual) && !Array.isArray(expected)) return actual.some((v) => jsonEqual(v, expected));
  return jsonEqual(actual, expected);
}

/** Whether every condition of `conditions` holds on `claims`. */
export function claimsSatisfy(claims: Readonly<Record<string, unknown>>, conditions: ReadonlyArray<readonly [string, unknown]>): boolean {
  for (const [path, expected] of conditions) if (!claimMatches(readClaim(claims, path), expected)) return false;
  return true;
}
