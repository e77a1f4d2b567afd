import type { TLSSocket } from 'node:tls';

import type { PeerInfo, TlsPeerIdentity } from '@gopher-mcp/core';

/**
 * Splits Node's `subjectAltName` text (`DNS:a, IP Address:127.0.0.1, URI:"x,y"`) into entries,
 * keeping quoted commas inside their entry and dropping the quotes.
 */
export function splitSubjectAltNames(text: string | undefined): string[] {
  if (text === undefined || text.length === 0) return [];
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (c === '\\' && quoted && i + 1 < text.length) {
      current += text[++i];
      continue;
    }
    if (c === ',' && !quoted) {
      entries.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim().length > 0) entries.push(current.trim());
  return entries.filter((e) => e.length > 0);
}

/** A distinguished name as Node prints it (one `key=value` per line) joined as `C=US, O=Acme, CN=client`. */
function joinName(name: string): string {
  return name
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join(', ');
}

/**
 * The identity of the certificate a TLS peer presented (subject, subject alternative names,
 * SHA-256 fingerprint, issuer, and whether it verified against the server's CA): what goes into
 * core's `PeerInfo.tls.peerCertificate`. Undefined when the peer sent no certificate.
 */
export function peerCertificateIdentity(socket: TLSSocket): TlsPeerIdentity | undefined {
  const certificate = socket.getPeerX509Certificate();
  if (certificate === undefined) return undefined;
  return {
    subject: joinName(certificate.subject),
    subjectAltNames: splitSubjectAltNames(certificate.subjectAltName),
    fingerprint256: certificate.fingerprint256,
    issuer: joinName(certificate.issuer),
    authorized: socket.authorized,
  };
}

/** Everything core's `PeerInfo.tls` holds about a TLS connection: protocol, cipher, peer certificate. */
export function tlsPeerInfo(socket: TLSSocket): NonNullable<PeerInfo['tls']> {
  const protocol = socket.getProtocol();
  const cipher = socket.getCipher()?.name;
  const peerCertificate = peerCertificateIdentity(socket);
  return {
    ...(protocol === null ? {} : { protocol }),
    ...(cipher === undefined ? {} : { cipher }),
    ...(peerCertificate === undefined ? {} : { peerCertificate }),
  };
}
