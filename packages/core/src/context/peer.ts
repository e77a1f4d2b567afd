/** HTTP-style request headers, lower-cased names. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The identity a peer proved with a TLS client certificate. */
export interface TlsPeerIdentity {
  readonly subject: string;
  readonly subjectAltNames: readonly string[];
  /** SHA-256 fingerprint of the certificate, colon-separated hex. */
  readonly fingerprint256: string;
  readonly issuer?: string;
  /** Whether the certificate chain was verified against the configured CA. */
  readonly authorized: boolean;
}

/** The other end of the connection an exchange arrived on. */
export interface PeerInfo {
  /** Remote address (IP) where the transport knows it. */
  readonly address?: string;
  readonly port?: number;
  /** Request headers of HTTP transports (lower-cased names). */
  readonly headers?: Headers;
  /** TLS details when the connection is TLS. */
  readonly tls?: { readonly protocol?: string; readonly cipher?: string; readonly peerCertificate?: TlsPeerIdentity };
}

/** Reads one header value (the first when repeated), case-insensitively. */
export function headerValue(headers: Headers | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) return value[0] as string | undefined;
  return value as string | undefined;
}
