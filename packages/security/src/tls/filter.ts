import {
  ErrorCode,
  type Exchange,
  type Filter,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type Next,
  type TlsTerminationConfig,
  type TlsTerminationConfigInput,
} from '@gopher-mcp/core';

import { buildWwwAuthenticate } from '../authentication/www-authenticate.js';
import { parseTlsOptions } from './server-options.js';

/** Options of {@link tlsTermination} (see `tlsTerminationOptionsSchema`). */
export type TlsTerminationOptions = TlsTerminationConfigInput;

const VERSION_ORDER: Readonly<Record<string, number>> = { 'TLSv1': 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };

/** The challenge of a 401 for a missing client certificate (TLS client authentication has no HTTP scheme of its own). */
export const CLIENT_CERTIFICATE_CHALLENGE = buildWwwAuthenticate({ scheme: 'ClientCertificate' });

/**
 * The tls_termination filter in a chain: the transport terminates TLS (see `TlsTerminator` /
 * `createTlsServerOptions`) and records it in `context.peer.tls`; this filter checks that it did,
 * so a transport set up without TLS fails closed. Inbound exchanges without TLS, or below
 * `minVersion`, get 403 (`data.rule` `tls_required` / `tls_version`); with `clientCertificate`
 * `required`, no verified client certificate gets 401, and with `optional`, a presented but
 * unverified one gets 401.
 */
export class TlsTerminationFilter implements Filter {
  readonly type = 'tls_termination';
  readonly failClosed = true;

  constructor(
    /** The validated options: transports make their server options from them. */
    readonly config: TlsTerminationConfig,
    private readonly setup: Pick<FilterSetup, 'emit'>,
  ) {}

  handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> | MessageView {
    const { context } = exchange;
    if (context.direction === 'outbound') return next();
    const tls = context.peer.tls;
    if (tls === undefined) return this.deny(exchange, ErrorCode.FORBIDDEN, 'forbidden: the connection is not TLS', { rule: 'tls_required' });
    const version = tls.protocol === undefined ? undefined : VERSION_ORDER[tls.protocol];
    if (version !== undefined && version < (VERSION_ORDER[this.config.minVersion] as number)) {
      return this.deny(exchange, ErrorCode.FORBIDDEN, `forbidden: TLS below ${this.config.minVersion}`, { rule: 'tls_version' });
    }
    const certificate = tls.peerCertificate;
    const mode = this.config.clientCertificate;
    if ((mode === 'required' && certificate?.authorized !== true) || (mode === 'optional' && certificate !== undefined && !certificate.authorized)) {
      const reason = certificate === undefined ? 'client_certificate_required' : 'client_certificate_unverified';
      return this.deny(exchange, ErrorCode.UNAUTHORIZED, `unauthorized: ${reason.replace(/_/g, ' ')}`, {
        wwwAuthenticate: CLIENT_CERTIFICATE_CHALLENGE,
        reason,
      });
    }
    return next();
  }

  private deny(exchange: Exchange, code: number, text: string, data: Record<string, unknown>): MessageView {
    this.setup.emit('tls_denied', { code, method: exchange.message.method, ...data });
    return exchange.deny(code, text, data);
  }
}

/**
 * The tls_termination filter (fail-closed). It does not read the certificate files (the
 * transport's `TlsTerminator` does); it checks each exchange arrived over TLS as configured.
 */
export function tlsTermination(options: TlsTerminationOptions): FilterDefinition {
  const config = parseTlsOptions(options);
  return {
    type: 'tls_termination',
    ...(config.name === undefined ? {} : { name: config.name }),
    create: (setup) => new TlsTerminationFilter(config, setup),
  };
}
