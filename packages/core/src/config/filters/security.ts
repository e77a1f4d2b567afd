import { z } from 'zod';

import { durationMs, filterSectionBase } from '../common.js';

/** The asymmetric JWS algorithms the authentication filter verifies (RS, PS, ES and EdDSA families). */
export const ASYMMETRIC_JWT_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;

/** The HMAC JWS algorithms: accepted only when listed explicitly, with an `hmacSecret`. `none` is never accepted. */
export const HMAC_JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

const isLoopbackHost = (host: string): boolean =>
  host === '127.0.0.1' || host === '[::1]' || host === 'localhost' || host.endsWith('.localhost');

/** An https URL, or http on a loopback host (local development and tests). */
const secureUrl = () =>
  z.url().refine(
    (value) => {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    },
    { message: 'must be an https URL (http only on a loopback host)' },
  );

/** A claim condition: claim name (a dotted path reads nested claims) to the value it must have. */
const claimConditionsSchema = z.record(z.string().min(1), z.unknown());

/** JWT bearer verification. */
export const jwtOptionsSchema = z
  .strictObject({
    /** Accepted `iss` values. */
    issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Accepted `aud` values: the MCP resource (RFC 8707) this server is. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /**
     * The algorithm allowlist. Default: every asymmetric algorithm (RS*, PS*, ES*, EdDSA, Ed25519).
     * HS* only when listed here with an `hmacSecret`; `none` can never be listed.
     */
    algorithms: z
      .array(z.enum([...ASYMMETRIC_JWT_ALGORITHMS, ...HMAC_JWT_ALGORITHMS]))
      .min(1)
      .default([...ASYMMETRIC_JWT_ALGORITHMS]),
    /** A remote JWKS (https, or http on loopback): cached, refreshed on an unknown `kid`, served stale when down. */
    jwksUri: secureUrl().optional(),
    /** A local JWKS document (public keys only). */
    jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
    /** A PEM public key (SPKI) or X.509 certificate. */
    publicKeyPem: z.string().min(1).optional(),
    /** Shared secret (at least 32 characters); only used for HS algorithms listed in `algorithms`. */
    hmacSecret: z.string().min(32).optional(),
    /** Required `typ` header (e.g. `at+jwt` for RFC 9068 access tokens); default: not checked. */
    typ: z.string().min(1).optional(),
    /** Tolerance for `exp`, `nbf` and `iat`, in seconds. Default 30. */
    clockSkewSec: z.number().int().nonnegative().max(600).default(30),
    /** Claims the token must carry with these values (an array claim must contain the value). Default none. */
    requiredClaims: claimConditionsSchema.default({}),
    /** Larger tokens are refused before any parsing. Default 8192 bytes. */
    maxTokenBytes: z.number().int().positive().max(1_048_576).default(8192),
    /** Least time between two JWKS fetches triggered by unknown `kid`s or failures. Default 30 s. */
    jwksCooldownMs: durationMs().default(30_000),
    /** How long a fetched JWKS is fresh; after that it is refreshed in the background. Default 10 min. */
    jwksCacheMs: durationMs().default(600_000),
    /** How long past freshness a JWKS is still used while its endpoint fails. Default 24 h. */
    jwksMaxStaleMs: durationMs().default(86_400_000),
    /** Timeout of one JWKS fetch. Default 5 s. */
    jwksTimeoutMs: z.number().int().positive().default(5_000),
  })
  .refine((o) => o.jwksUri !== undefined || o.jwks !== undefined || o.publicKeyPem !== undefined || o.hmacSecret !== undefined, {
    message: 'set one key source: jwksUri, jwks, publicKeyPem or hmacSecret',
  })
  .refine((o) => o.hmacSecret === undefined || o.algorithms.some((a) => a.startsWith('HS')), {
    message: 'hmacSecret needs an HS algorithm listed in algorithms',
    path: ['hmacSecret'],
  })
  .refine((o) => o.hmacSecret !== undefined || !o.algorithms.some((a) => a.startsWith('HS')), {
    message: 'an HS algorithm is listed but no hmacSecret is set',
    path: ['algorithms'],
  })
  .refine(
    (o) =>
      o.jwksUri !== undefined || o.jwks !== undefined || o.publicKeyPem !== undefined || o.algorithms.every((a) => a.startsWith('HS')),
    {
      message: 'asymmetric algorithms are listed but there is no public key source (jwksUri, jwks, publicKeyPem): list only HS algorithms',
      path: ['algorithms'],
    },
  );

/** One API key: its SHA-256 (the key itself is never configured) and the principal it stands for. */
export const apiKeySchema = z.strictObject({
  /** Hex SHA-256 of the key. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex digits (the SHA-256 of the key)'),
  subject: z.string().min(1),
  scopes: z.array(z.string()).default([]),
  roles: z.array(z.string()).default([]),
});

/** RFC 7662 token introspection for opaque bearer tokens. */
export const introspectionOptionsSchema = z.strictObject({
  /** The authorization server's introspection endpoint (https, or http on loopback). */
  endpoint: secureUrl(),
  /** Client credentials this resource server authenticates with (HTTP Basic). */
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** How long an active result is reused (never past the token's `exp`). Default 60 s. */
  cacheMs: durationMs().default(60_000),
  /** Accepted `aud` values; default: not checked. */
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** Accepted `iss` values; default: not checked. */
  issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** Timeout of one introspection call. Default 5 s. */
  timeoutMs: z.number().int().positive().default(5_000),
});

/** RFC 9728 protected resource metadata. */
export const resourceMetadataSchema = z.strictObject({
  /** The resource identifier (the MCP server's canonical URL). */
  resource: z.string().min(1),
  authorizationServers: z.array(z.string().min(1)).default([]),
  scopesSupported: z.array(z.string()).default([]),
  /** Where the metadata is served; default: derived from `resource` (RFC 9728 section 3.1). */
  metadataUrl: z.string().optional(),
  /** Human-readable name of the resource. */
  resourceName: z.string().optional(),
  /** URL of human-readable documentation. */
  resourceDocumentation: z.string().optional(),
});

/** Roles and scopes granted to a verified client certificate whose identity matches. */
export const clientCertificateGrantSchema = z.strictObject({
  /** Glob over the certificate subject (e.g. `CN=ops-*`). */
  subject: z.string().min(1).optional(),
  /** Glob over any subject alternative name (e.g. `URI:spiffe://example.org/**`). */
  subjectAltName: z.string().min(1).optional(),
  /** Exact SHA-256 fingerprint (colon-separated hex). */
  fingerprint256: z.string().min(1).optional(),
  roles: z.array(z.string()).default([]),
  scopes: z.array(z.string()).default([]),
});

/** Options of the authentication filter. */
export const authenticationOptionsSchema = z
  .strictObject({
    ...filterSectionBase,
    /** Verify bearer JWTs. */
    jwt: jwtOptionsSchema.optional(),
    /** Accept API keys from a header. */
    apiKeys: z
      .strictObject({
        /** Header carrying the key (lower-case). Default `x-api-key`. */
        header: z.string().min(1).default('x-api-key'),
        keys: z.array(apiKeySchema),
      })
      .optional(),
    /** Introspect opaque bearer tokens (RFC 7662). */
    introspection: introspectionOptionsSchema.optional(),
    /** RFC 9728 protected resource metadata (its URL goes into every `WWW-Authenticate`). */
    resourceMetadata: resourceMetadataSchema.optional(),
    /** `realm` of the `WWW-Authenticate` challenge; default none. */
    realm: z.string().min(1).optional(),
    /** For transports without headers: the `params._meta` field carrying the bearer token (stripped before forwarding). */
    metaTokenField: z.string().min(1).optional(),
    /** Accept a verified TLS client certificate as the principal (method `mtls`). Default false. */
    acceptClientCertificates: z.boolean().default(false),
    /** Roles and scopes of client certificates (every matching grant adds up). Default none. */
    clientCertificateGrants: z.array(clientCertificateGrantSchema).default([]),
    /** Methods that need no credentials (globs). Default none. */
    exemptMethods: z.array(z.string().min(1)).default([]),
    /** Scopes every principal must hold; a valid token without them gets 403 `insufficient_scope`. Default none. */
    requiredScopes: z.array(z.string().min(1)).default([]),
    /** Claim (dotted path) holding the scopes: a space-separated string or an array. Default `scope`. */
    scopesClaim: z.string().min(1).default('scope'),
    /** Claim (dotted path) holding the roles: an array or a space-separated string. Default `roles`. */
    rolesClaim: z.string().min(1).default('roles'),
    /** Verified tokens remembered (by SHA-256 of the token) until they expire; 0 disables. Default 10000. */
    cacheSize: z.number().int().nonnegative().default(10_000),
  })
  .refine(
    (o) => !o.enabled || o.jwt !== undefined || o.apiKeys !== undefined || o.introspection !== undefined || o.acceptClientCertificates,
    { message: 'enable at least one method: jwt, apiKeys, introspection or acceptClientCertificates' },
  );

/** One RBAC rule. The first rule that matches decides; nothing matching means deny (rule `default`). */
export const authorizationRuleSchema = z.strictObject({
  /** Unique name, reported in 403 errors (`data.rule`); `default` is reserved. */
  name: z.string().min(1),
  effect: z.enum(['allow', 'deny']),
  /** The principal holds at least one of these roles (`*`: any authenticated principal). */
  roles: z.array(z.string().min(1)).optional(),
  /** The principal holds every one of these scopes. */
  scopes: z.array(z.string().min(1)).optional(),
  /** The principal's claims have these values (dotted paths; an array claim must contain the value). */
  claims: claimConditionsSchema.optional(),
  /** Method globs. */
  methods: z.array(z.string().min(1)).optional(),
  /** Tool-name globs (`tools/call`, and the items of `tools/list`). */
  tools: z.array(z.string().min(1)).optional(),
  /** Resource-URI globs (`resources/read|subscribe|unsubscribe`, the items of `resources/list` and `resources/templates/list`). */
  resources: z.array(z.string().min(1)).optional(),
  /** Prompt-name globs (`prompts/get`, and the items of `prompts/list`). */
  prompts: z.array(z.string().min(1)).optional(),
});

/** Options of the authorization filter. */
export const authorizationOptionsSchema = z.strictObject({
  ...filterSectionBase,
  /** First match wins; default deny. */
  rules: z.array(authorizationRuleSchema).default([]),
  /** The roles a policy may name; a rule naming another role is a config error. Default: not checked. */
  roles: z.array(z.string().min(1)).optional(),
  /** Hide from list results what the principal may not use. Default true. */
  filterLists: z.boolean().default(true),
  /** `resource_metadata` of the `insufficient_scope` challenge (default: the authentication filter's). */
  resourceMetadataUrl: z.string().min(1).optional(),
  /** `realm` of the `insufficient_scope` challenge (default: the authentication filter's). */
  realm: z.string().min(1).optional(),
});

const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

/** Options of the tls_termination filter (and of `createTlsServerOptions` / `TlsTerminator`). */
export const tlsTerminationOptionsSchema = z
  .strictObject({
    ...filterSectionBase,
    /** PEM certificate chain of the server. */
    certFile: z.string().min(1),
    /** PEM private key of the server. */
    keyFile: z.string().min(1),
    /** PEM CA bundle client certificates are verified against (required for client certificates). */
    caFile: z.string().min(1).optional(),
    /** Default `TLSv1.2`. */
    minVersion: z.enum(TLS_VERSIONS).default('TLSv1.2'),
    /** Default `TLSv1.3`. */
    maxVersion: z.enum(TLS_VERSIONS).default('TLSv1.3'),
    /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults); default Node's. */
    ciphers: z.string().min(1).optional(),
    /** `none`, `optional` (verified when sent) or `required` (mTLS). Default `none`. */
    clientCertificate: z.enum(['none', 'optional', 'required']).default('none'),
    /** Reload the certificate files when they change, without dropping connections. Default true. */
    watch: z.boolean().default(true),
    /** Quiet time after the last file change before reloading. Default 200 ms. */
    watchDebounceMs: durationMs().default(200),
  })
  .refine((o) => TLS_VERSIONS.indexOf(o.minVersion) <= TLS_VERSIONS.indexOf(o.maxVersion), {
    message: 'minVersion is above maxVersion',
    path: ['minVersion'],
  })
  .refine((o) => o.clientCertificate === 'none' || o.caFile !== undefined, {
    message: 'client certificates need a caFile to verify them against',
    path: ['caFile'],
  });

/** The `security` section. */
export const securitySchema = z.strictObject({
  tlsTermination: tlsTerminationOptionsSchema.optional(),
  authentication: authenticationOptionsSchema.optional(),
  authorization: authorizationOptionsSchema.optional(),
});

/** Validated JWT options, defaults filled in. */
export type JwtConfig = z.output<typeof jwtOptionsSchema>;
/** JWT options as written. */
export type JwtConfigInput = z.input<typeof jwtOptionsSchema>;
/** Validated authentication options, defaults filled in. */
export type AuthenticationConfig = z.output<typeof authenticationOptionsSchema>;
/** Authentication options as written. */
export type AuthenticationConfigInput = z.input<typeof authenticationOptionsSchema>;
/** One validated RBAC rule. */
export type AuthorizationRuleConfig = z.output<typeof authorizationRuleSchema>;
/** Validated authorization options, defaults filled in. */
export type AuthorizationConfig = z.output<typeof authorizationOptionsSchema>;
/** Authorization options as written. */
export type AuthorizationConfigInput = z.input<typeof authorizationOptionsSchema>;
/** Validated tls_termination options, defaults filled in. */
export type TlsTerminationConfig = z.output<typeof tlsTerminationOptionsSchema>;
/** tls_termination options as written. */
export type TlsTerminationConfigInput = z.input<typeof tlsTerminationOptionsSchema>;
