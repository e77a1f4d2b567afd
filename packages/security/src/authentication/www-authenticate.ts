/** The parts of a `WWW-Authenticate` challenge that come from configuration. */
export interface ChallengeOptions {
  /** The auth scheme: `Bearer` for tokens (default), `ApiKey`, `ClientCertificate`. */
  readonly scheme?: string;
  readonly realm?: string;
  /** RFC 9728 `resource_metadata`: where clients find the authorization servers. */
  readonly resourceMetadataUrl?: string;
}

/** The parts of a challenge that describe one failure. */
export interface ChallengeParams {
  /** RFC 6750 error code. */
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  readonly errorDescription?: string;
  /** Scopes needed (space-joined into `scope`). */
  readonly scope?: readonly string[];
}

function quote(value: string): string {
  // quoted-string of RFC 9110: escape backslash and double quote; drop control characters.
  return `"${value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Builds a `WWW-Authenticate` value (RFC 6750 section 3, RFC 9728 section 5.1), parameters in
 * the order realm, error, error_description, scope, resource_metadata. E.g.
 * `Bearer error="invalid_token", error_description="the token has expired", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"`.
 */
export function buildWwwAuthenticate(options: ChallengeOptions, params: ChallengeParams = {}): string {
  const parts: string[] = [];
  if (options.realm !== undefined) parts.push(`realm=${quote(options.realm)}`);
  if (params.error !== undefined) parts.push(`error=${quote(params.error)}`);
  if (params.errorDescription !== undefined) parts.push(`error_description=${quote(params.errorDescription)}`);
  if (params.scope !== undefined && params.scope.length > 0) parts.push(`scope=${quote(params.scope.join(' '))}`);
  if (options.resourceMetadataUrl !== undefined) parts.push(`resource_metadata=${quote(options.resourceMetadataUrl)}`);
  const scheme = options.scheme ?? 'Bearer';
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}
