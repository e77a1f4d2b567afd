import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';

import { ConfigError, parseWithSchema, tlsTerminationOptionsSchema, type TlsTerminationConfig, type TlsTerminationConfigInput } from '@gopher-mcp/core';

/** The certificate material of a TLS server as read from its files. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

function read(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${field}: cannot read ${path} (${reason})`, [{ path: field, message: `cannot read ${path} (${reason})` }]);
  }
}

/** Reads the certificate, key and CA files of `config`; fails with a ConfigError naming the field. */
export function readTlsMaterial(config: Pick<TlsTerminationConfig, 'certFile' | 'keyFile' | 'caFile'>): TlsMaterial {
  const cert = read(config.certFile, 'certFile');
  const key = read(config.keyFile, 'keyFile');
  return config.caFile === undefined ? { cert, key } : { cert, key, ca: read(config.caFile, 'caFile') };
}

/** The secure-context part of the options (what a reload replaces). */
export function secureContextOptions(config: TlsTerminationConfig, material: TlsMaterial): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    minVersion: config.minVersion,
    maxVersion: config.maxVersion,
    ...(config.ciphers === undefined ? {} : { ciphers: config.ciphers }),
    honorCipherOrder: true,
  };
}

/** Checks that the material makes a usable context (the key matches the certificate, the PEMs parse). */
export function checkSecureContext(options: SecureContextOptions): void {
  try {
    createSecureContext(options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`certFile/keyFile: unusable TLS material (${reason})`, [{ path: 'certFile', message: `unusable TLS material (${reason})` }]);
  }
}

/** Validates tls_termination options into a {@link TlsTerminationConfig}. */
export function parseTlsOptions(options: TlsTerminationConfigInput): TlsTerminationConfig {
  return parseWithSchema(tlsTerminationOptionsSchema, options, 'tls_termination options');
}

/**
 * The `tls.createServer` / `https.createServer` options of a tls_termination config: certificate,
 * key and CA read from their files (checked to make a usable context), protocol versions, cipher
 * suites, and client certificates: `none`; `optional` (requested, verified when sent, never
 * required: see `socket.authorized`); `required` (mTLS: a connection without a certificate the
 * CA verifies fails its handshake).
 */
export function createTlsServerOptions(options: TlsTerminationConfigInput): TlsOptions {
  const config = parseTlsOptions(options);
  const context = secureContextOptions(config, readTlsMaterial(config));
  checkSecureContext(context);
  return {
    ...context,
    requestCert: config.clientCertificate !== 'none',
    rejectUnauthorized: config.clientCertificate === 'required',
  };
}
