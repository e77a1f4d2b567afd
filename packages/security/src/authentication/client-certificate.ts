import { matchGlob, type AuthenticationConfig, type Principal, type TlsPeerIdentity } from '@gopher-mcp/core';

/** One validated client-certificate grant. */
export type ClientCertificateGrant = AuthenticationConfig['clientCertificateGrants'][number];

function grantMatches(grant: ClientCertificateGrant, identity: TlsPeerIdentity): boolean {
  if (grant.subject === undefined && grant.subjectAltName === undefined && grant.fingerprint256 === undefined) return false;
  if (grant.subject !== undefined && !matchGlob(grant.subject, identity.subject)) return false;
  if (grant.subjectAltName !== undefined) {
    const glob = grant.subjectAltName;
    if (!identity.subjectAltNames.some((san) => matchGlob(glob, san))) return false;
  }
  if (grant.fingerprint256 !== undefined && grant.fingerprint256.toUpperCase() !== identity.fingerprint256.toUpperCase()) return false;
  return true;
}

/**
 * The principal of a verified TLS client certificate (method `mtls`): its subject, the roles and
 * scopes of every grant it matches, and its identity as claims. Undefined when the transport did
 * not verify the certificate against the configured CA.
 */
export function principalFromCertificate(identity: TlsPeerIdentity, grants: readonly ClientCertificateGrant[]): Principal | undefined {
  if (!identity.authorized) return undefined;
  const roles = new Set<string>();
  const scopes = new Set<string>();
  for (const grant of grants) {
    if (!grantMatches(grant, identity)) continue;
    for (const role of grant.roles) roles.add(role);
    for (const scope of grant.scopes) scopes.add(scope);
  }
  return {
    subject: identity.subject,
    scopes: [...scopes],
    roles: [...roles],
    claims: {
      subject: identity.subject,
      subjectAltNames: [...identity.subjectAltNames],
      fingerprint256: identity.fingerprint256,
      ...(identity.issuer === undefined ? {} : { issuer: identity.issuer }),
    },
    method: 'mtls',
  };
}
