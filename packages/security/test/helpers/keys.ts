import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A signing key made in the test, with its public JWK. */
export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
  readonly spki: string;
}

/** Generates a key pair for `alg` and its public JWK (kid, alg, use). */
export async function makeKey(alg: string, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, jwk, spki: await exportSPKI(publicKey) };
}

/** The test's issuer and audience. */
export const ISSUER = 'https://auth.example.test';
export const AUDIENCE = 'https://mcp.example.test/mcp';
/** The ManualClock start of every test: a fixed instant (ms). */
export const T0 = 1_750_000_000_000;
export const T0_SEC = T0 / 1000;

/** Signs a token with `key`: valid claims relative to `nowSec` unless overridden (`undefined` removes a claim). */
export async function signToken(
  key: Pick<TestKey, 'alg' | 'kid' | 'privateKey'>,
  claims: Record<string, unknown> = {},
  options: { readonly nowSec?: number; readonly header?: Record<string, unknown> } = {},
): Promise<string> {
  const now = options.nowSec ?? T0_SEC;
  const payload: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 300,
    scope: 'mcp:read mcp:write',
    roles: ['user'],
    ...claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header }).sign(key.privateKey);
}

/** Signs an HS256 token with a raw secret. */
export async function signHmac(secret: string | Uint8Array, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: T0_SEC, exp: T0_SEC + 300, ...claims })
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(key);
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured token (`alg: none`), optionally with a fake signature segment. */
export function unsecuredToken(claims: Record<string, unknown> = {}, signature = ''): string {
  const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: T0_SEC, exp: T0_SEC + 300, ...claims };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.${signature}`;
}
