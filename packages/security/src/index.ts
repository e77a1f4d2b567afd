/**
 * @gopher-mcp/security: authentication (JWT/JWKS, API keys, OAuth 2.1 resource server),
 * RBAC authorization and TLS termination filters for Gopher MCP. All three are fail-closed.
 * @packageDocumentation
 */
export { family } from './family.js';

// authentication
export {
  authentication,
  parseAuthenticationOptions,
  AuthenticationFilter,
  AUTHENTICATION_CHALLENGE,
  type AuthenticationOptions,
  type AuthenticationRuntimeOptions,
} from './authentication/filter.js';
export { Authenticator, type AuthenticatorRuntime, type AuthenticationStats } from './authentication/authenticator.js';
export { AuthenticationFailure, type AuthenticationFailureReason } from './authentication/failure.js';
export { JwtVerifier, type JwtVerifierRuntime, type VerifiedJwt } from './authentication/jwt-verifier.js';
export { RemoteJwks, type RemoteJwksOptions, type RemoteJwksStats } from './authentication/jwks.js';
export { TokenIntrospector, type IntrospectionConfig, type IntrospectedToken, type TokenIntrospectorRuntime } from './authentication/introspection.js';
export { ApiKeyStore, hashApiKey, type ApiKeyConfig } from './authentication/api-keys.js';
export { principalFromCertificate, type ClientCertificateGrant } from './authentication/client-certificate.js';
export { readCredentials, withoutMetaToken, type PresentedCredentials } from './authentication/credentials.js';
export {
  protectedResourceMetadata,
  protectedResourceMetadataHandler,
  withProtectedResourceMetadata,
  resourceMetadataUrl,
  metadataUrlOf,
  PROTECTED_RESOURCE_WELL_KNOWN,
  type ProtectedResourceMetadata,
  type ResourceMetadataConfig,
} from './authentication/resource-metadata.js';
export { buildWwwAuthenticate, type ChallengeOptions, type ChallengeParams } from './authentication/www-authenticate.js';
export type { FetchLike } from './internal/http-fetch.js';

// authorization
export {
  authorization,
  parseAuthorizationOptions,
  AuthorizationFilter,
  type AuthorizationOptions,
  type AuthorizationStats,
} from './authorization/filter.js';
export { Policy, DEFAULT_RULE, type AccessDecision, type AccessRequest } from './authorization/policy.js';
export { validatePolicy, authorizationPolicySchema, type PolicyIssue } from './authorization/validate-policy.js';
export { filterListResult, isFilteredList } from './authorization/list-filter.js';

// tls_termination
export { tlsTermination, TlsTerminationFilter, CLIENT_CERTIFICATE_CHALLENGE, type TlsTerminationOptions } from './tls/filter.js';
export { createTlsServerOptions, readTlsMaterial, parseTlsOptions, type TlsMaterial } from './tls/server-options.js';
export { TlsTerminator, type TlsReloadOutcome, type TlsTerminatorRuntime } from './tls/terminator.js';
export { fsFileWatcher, type FileWatcher, type FileWatch } from './tls/file-watcher.js';
export { peerCertificateIdentity, tlsPeerInfo, splitSubjectAltNames } from './tls/peer-certificate.js';
