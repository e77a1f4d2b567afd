import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: string, encoding: 'base64url') => string;

/** `crypto.hash` (Node >= 20.12: one call, no Hash object) when present, else createHash. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** SHA-256 of a credential as base64url: what caches are keyed by (never the credential itself). */
export function credentialHash(credential: string): string {
  if (oneShot !== undefined) return oneShot('sha256', credential, 'base64url');
  return crypto.createHash('sha256').update(credential, 'utf8').digest('base64url');
}
