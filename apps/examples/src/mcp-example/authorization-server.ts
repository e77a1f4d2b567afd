// The demo's own authorization server: an ES256 key made at start, its JWKS served on 127.0.0.1,
// and access tokens signed with it (what a real identity provider would issue).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** The claims of a token the demo issues. */
export interface TokenClaims {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly scope: string;
}

/** A running authorization server. */
export interface AuthorizationServer {
  /** The issuer (`iss`) of its tokens: its own origin. */
  readonly issuer: string;
  /** Where its public keys are served. */
  readonly jwksUri: string;
  /** An access token for `audience`, valid for ten minutes. */
  issue(claims: TokenClaims, audience: string): Promise<string>;
  /** A token with the same claims and `kid`, signed by a key this server never published. */
  forge(claims: TokenClaims, audience: string): Promise<string>;
  close(): Promise<void>;
}

const ALG = 'ES256';
const KID = 'demo-key-1';

function sign(key: CryptoKey, issuer: string, claims: TokenClaims, audience: string): Promise<string> {
  return new SignJWT({ roles: [...claims.roles], scope: claims.scope })
    .setProtectedHeader({ alg: ALG, kid: KID, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);
}

/** Makes a key pair and serves its public half at `/.well-known/jwks.json` on 127.0.0.1 (a free port). */
export async function startAuthorizationServer(): Promise<AuthorizationServer> {
  const { publicKey, privateKey } = await generateKeyPair(ALG);
  const intruder = await generateKeyPair(ALG);
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: KID, alg: ALG, use: 'sig' };
  const body = JSON.stringify({ keys: [jwk] });
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' }).end(body);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    issue: (claims, audience) => sign(privateKey, issuer, claims, audience),
    forge: (claims, audience) => sign(intruder.privateKey, issuer, claims, audience),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
