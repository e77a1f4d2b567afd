import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';

import { silentLogger, systemClock, type Clock, type ClockTimer, type Logger, type PeerInfo, type TlsTerminationConfig, type TlsTerminationConfigInput } from '@gopher-mcp/core';

import { fsFileWatcher, type FileWatch, type FileWatcher } from './file-watcher.js';
import { tlsPeerInfo } from './peer-certificate.js';
import { checkSecureContext, parseTlsOptions, readTlsMaterial, secureContextOptions, type TlsMaterial } from './server-options.js';

/** What one reload did. */
export interface TlsReloadOutcome {
  /** False when the new files were unreadable or unusable (the old certificate stays in use). */
  readonly ok: boolean;
  /** Whether the files differed from the ones in use (and were applied). */
  readonly changed: boolean;
  /** How many certificate sets were applied so far (1 at start). */
  readonly generation: number;
  /** Why the files were not applied, when `ok` is false (never the file contents). */
  readonly error?: string;
}

/** Runtime parts of a {@link TlsTerminator}. */
export interface TlsTerminatorRuntime {
  /** Watches the certificate files when `watch` is on (default: fs.watch on their directories). */
  readonly watcher?: FileWatcher;
  /** Clock of the reload debounce (default: the system clock). */
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called after every reload attempt. */
  readonly onReload?: (outcome: TlsReloadOutcome) => void;
}

function sameMaterial(a: TlsMaterial, b: TlsMaterial): boolean {
  return a.cert.equals(b.cert) && a.key.equals(b.key) && (a.ca === undefined ? b.ca === undefined : b.ca !== undefined && a.ca.equals(b.ca));
}

/**
 * Server-side TLS for the transports that listen (HTTP, TCP): builds the server options of a
 * tls_termination config, and reloads the certificate, key and CA when their files change
 * (fs.watch plus a debounce, or an explicit `reload()`), swapping them into every attached
 * server with `setSecureContext`: connections already up keep their session, new ones get the
 * new certificate. A reload whose files are unreadable or do not match keeps the old ones.
 */
export class TlsTerminator {
  readonly config: TlsTerminationConfig;
  private material: TlsMaterial;
  private readonly servers = new Set<Server>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly watch: FileWatch | undefined;
  private debounce: ClockTimer | undefined;
  private applied = 1;
  private closed = false;

  /** Reads and checks the files now: fails with a ConfigError naming the field. */
  constructor(
    options: TlsTerminationConfigInput,
    private readonly runtime: TlsTerminatorRuntime = {},
  ) {
    this.config = parseTlsOptions(options);
    this.clock = runtime.clock ?? systemClock;
    this.logger = runtime.logger ?? silentLogger;
    this.material = readTlsMaterial(this.config);
    checkSecureContext(secureContextOptions(this.config, this.material));
    if (this.config.watch) {
      const files = [this.config.certFile, this.config.keyFile, ...(this.config.caFile === undefined ? [] : [this.config.caFile])];
      this.watch = (runtime.watcher ?? fsFileWatcher).watch(
        files,
        () => this.scheduleReload(),
        (error) => this.logger.warn({ err: error.message }, 'gopher-mcp: watching TLS files failed'),
      );
    }
  }

  /** The options for `tls.createServer` / `https.createServer` with the current certificate. */
  get serverOptions(): TlsOptions {
    return {
      ...secureContextOptions(this.config, this.material),
      requestCert: this.config.clientCertificate !== 'none',
      rejectUnauthorized: this.config.clientCertificate === 'required',
    };
  }

  /** How many certificate sets were applied (1 at start, +1 per reload that changed something). */
  get generation(): number {
    return this.applied;
  }

  /** A `tls.Server` with these options, attached (its certificate follows reloads). */
  createServer(listener?: (socket: TLSSocket) => void): Server {
    const server = createServer(this.serverOptions, listener);
    this.attach(server);
    return server;
  }

  /** Makes `server` (a tls.Server or https.Server) follow reloads until it closes. */
  attach(server: Server): this {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
    return this;
  }

  /** Stops `server` following reloads. */
  detach(server: Server): void {
    this.servers.delete(server);
  }

  /** The `PeerInfo.tls` of a connection of an attached server. */
  peerInfo(socket: TLSSocket): NonNullable<PeerInfo['tls']> {
    return tlsPeerInfo(socket);
  }

  /**
   * Rereads the files and, when they changed and make a usable context, applies them to every
   * attached server. Connections already up are not touched.
   */
  reload(): TlsReloadOutcome {
    let outcome: TlsReloadOutcome;
    try {
      const material = readTlsMaterial(this.config);
      if (sameMaterial(material, this.material)) {
        outcome = { ok: true, changed: false, generation: this.applied };
      } else {
        const context = secureContextOptions(this.config, material);
        checkSecureContext(context);
        for (const server of this.servers) server.setSecureContext(context);
        this.material = material;
        this.applied++;
        outcome = { ok: true, changed: true, generation: this.applied };
        this.logger.info({ generation: this.applied }, 'gopher-mcp: TLS certificate reloaded');
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      outcome = { ok: false, changed: false, generation: this.applied, error: reason };
      this.logger.warn({ err: reason }, 'gopher-mcp: TLS reload failed, keeping the current certificate');
    }
    this.runtime.onReload?.(outcome);
    return outcome;
  }

  /** Stops watching the files (attached servers keep running). */
  close(): void {
    this.closed = true;
    this.debounce?.cancel();
    this.watch?.close();
    this.servers.clear();
  }

  private scheduleReload(): void {
    if (this.closed) return;
    this.debounce?.cancel();
    this.debounce = this.clock.setTimer(this.config.watchDebounceMs, () => {
      this.debounce = undefined;
      if (!this.closed) this.reload();
    });
  }
}
