/** How a principal proved who it is. */
export type AuthenticationMethod = 'jwt' | 'api_key' | 'introspection' | 'mtls' | 'custom';

/** Who is behind an exchange, set by an authentication filter for the filters after it. */
export interface Principal {
  /** The subject (`sub` claim, API key owner, certificate subject). */
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** Verified claims (never the raw token). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly method: AuthenticationMethod;
}
