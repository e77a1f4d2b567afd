import { z } from 'zod';

import { durationMs, filterSectionBase } from '../common.js';

const asymmetricAlgorithms = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;

/** JWT bearer verification. */
export const jwtOptionsSchema = z
  .strictObject({
    issuer: z.union([z.string().min(1), z.array(z.string().min(1))]),
    /** The MCP resource (RFC 8707) this server is. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1))]),
    algorithms: z.array(z.enum([...asymmetricAlgorithms, 'HS256', 'HS384', 'HS512'])).default(['RS256', 'ES256', 'EdDSA']),
    jwksUri: z.url().optional(),
    /** A local JWKS document. */
    jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
    /** A PEM public key (SPKI). */
    publicKeyPem: z.string().optional(),
    /** Shared secret; only used when `algorithms` lists an HS algorithm. */
    hmacSecret: z.string().min(32).optional(),
    clockSkewSec: z.number().int().nonnegative().default(30),
    requiredScopes: z.array(z.string()).default([]),
    requiredClaims: z.record(z.string(), z.unknown()).default({}),
    maxTokenBytes: z.number().int().positive().default(8192),
    cacheSize: z.number().int().nonnegative().default(10_000),
    jwksCooldownMs: durationMs().default(30_000),
    jwksCacheMs: durationMs().default(600_000),
    scopesClaim: z.string().default('scope'),
    rolesClaim: z.string().default('roles'),
  })
  .refine((o) => o.jwksUri !== undefined || o.jwks !== undefined || o.publicKeyPem !== undefined || o.hmacSecret !== undefined, {
    message: 'set one key source: jwksUri, jwks, publicKeyPem or hmacSecret',
  })
  .refine((o) => o.hmacSecret === undefined || o.algorithms.some((a) => a.startsWith('HS')), {
    message: 'hmacSecret needs an HS algorithm listed in algorithms',
    path: ['hmacSecret'],
  });

/** Options of the authentication filter. */
export const authenticationOptionsSchema = z.strictObject({
  ...filterSectionBase,
  jwt: jwtOptionsSchema.optional(),
  apiKeys: z
    .strictObject({
      header: z.string().default('x-api-key'),
      keys: z.array(
        z.strictObject({
          /** Hex SHA-256 of the key; the key itself is never configured. */
          sha256: z.string().regex(/^[0-9a-f]{64}$/i),
          subject: z.string().min(1),
          scopes: z.array(z.string()).default([]),
          roles: z.array(z.string()).default([]),
        }),
      ),
    })
    .optional(),
  introspection: z
    .strictObject({
      endpoint: z.url(),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      cacheMs: durationMs().default(60_000),
    })
    .optional(),
  /** RFC 9728 protected resource metadata. */
  resourceMetadata: z
    .strictObject({
      resource: z.string().min(1),
      authorizationServers: z.array(z.string().min(1)).default([]),
      scopesSupported: z.array(z.string()).default([]),
      metadataUrl: z.string().optional(),
    })
    .optional(),
  /** For transports without headers: the `_meta` field carrying the bearer token. */
  metaTokenField: z.string().optional(),
  /** Accept a verified TLS client certificate as the principal. */
  acceptClientCertificates: z.boolean().default(false),
  /** Methods that need no credentials (globs). */
  exemptMethods: z.array(z.string().min(1)).default([]),
});

/** One RBAC rule: first match wins. */
export const authorizationRuleSchema = z.strictObject({
  name: z.string().min(1),
  effect: z.enum(['allow', 'deny']),
  roles: z.array(z.string()).optional(),
  scopes: z.array(z.string()).optional(),
  claims: z.record(z.string(), z.unknown()).optional(),
  methods: z.array(z.string()).optional(),
  tools: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  prompts: z.array(z.string()).optional(),
});

/** Options of the authorization filter. */
export const authorizationOptionsSchema = z.strictObject({
  ...filterSectionBase,
  rules: z.array(authorizationRuleSchema).default([]),
  /** The roles a policy may name; a rule naming another role is a config error. */
  roles: z.array(z.string()).optional(),
  /** Hide from list results what the principal may not use. */
  filterLists: z.boolean().default(true),
});

/** Options of the tls_termination filter. */
export const tlsTerminationOptionsSchema = z.strictObject({
  ...filterSectionBase,
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  caFile: z.string().optional(),
  minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  maxVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.3'),
  ciphers: z.string().optional(),
  clientCertificate: z.enum(['none', 'optional', 'required']).default('none'),
  /** Reload certificate files when they change. */
  watch: z.boolean().default(true),
});

/** The `security` section. */
export const securitySchema = z.strictObject({
  tlsTermination: tlsTerminationOptionsSchema.optional(),
  authentication: authenticationOptionsSchema.optional(),
  authorization: authorizationOptionsSchema.optional(),
});
