import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: string, encoding: 'latin1') => string;

/** `crypto.hash` (Node >= 20.12: one call, no Hash object) when present, else createHash. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/**
 * SHA-256 of a credential, its 32 bytes as a 32-character latin1 string: what caches are keyed by
 * (never the credential itself). latin1 is the cheapest output `crypto.hash` makes (no base64 or
 * hex encoding pass) and the shortest Map key.
 */
export function credentialHash(credential: string): string {
  if (oneShot !== undefined) return oneShot('sha256', credential, 'latin1');
  return crypto.createHash('sha256').update(credential, 'utf8').digest().toString('latin1');
}
