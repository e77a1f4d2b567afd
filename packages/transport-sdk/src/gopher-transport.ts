import {
  type ChainStats,
  type Clock,
  type Direction,
  type ExchangeContext,
  type FilterChain,
  type FilterManager,
  type FilterManagerConfigInput,
  headerValue,
  type JsonRpcMessage,
  type LazyAbort,
  type Logger,
  messageKindOf,
  type MessageView,
  type SessionInfo,
  silentLogger,
} from '@gopher-mcp/core';

import { AUTH_INFO, detectTransportName, peerOf, principalFromAuthInfo } from './context.js';
import { TransportExchangeContext } from './exchange-context.js';
import { asError, describe, type ExchangeHost } from './exchange-host.js';
import { LocalExchanges } from './local-exchanges.js';
import type { FiltersInput, GopherTransportOptions, Side } from './options.js';
import { PeerExchanges } from './peer-exchanges.js';
import { resolveFilters, type ResolvedFilters } from './resolve-filters.js';
import { fromSdkMessage, toSdkMessage, type SdkJsonRpcMessage, type SdkMessageExtraInfo, type SdkMessageHandler, type SdkSendOptions, type SdkTransport } from './sdk-types.js';

/** Counters of a {@link GopherTransport}: its chain's, plus the exchanges it holds. */
export interface GopherTransportStats {
  /** The chain's counters; undefined once the chain was closed (its histograms are gone). */
  readonly chain: ChainStats | undefined;
  /** Requests of the peer handed to the local SDK and waiting for its response. */
  readonly awaitingLocalResponse: number;
  /** Requests of the local SDK sent to the peer and waiting for its response. */
  readonly awaitingPeerResponse: number;
  /** Exchanges whose chain run has not finished. */
  readonly inFlight: number;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
const NO_SESSION: SessionInfo = Object.freeze({});

/**
 * An MCP SDK `Transport` that runs a Gopher MCP filter chain around another SDK transport (stdio,
 * Streamable HTTP, SSE, in-memory, WebSocket; SDK 1.x or 2.x): hand it to `server.connect()` or
 * `client.connect()` in place of the inner transport.
 *
 * On the server side, a request of the client runs the chain's request phase, reaches the SDK,
 * and the SDK's response runs the response phase on its way back; a refused request is answered
 * with the chain's JSON-RPC error (same id). On the client side it is the mirror image: the
 * client's requests run the request phase before they are sent, the server's responses the
 * response phase before the SDK sees them; a refused request rejects the caller's promise with
 * the SDK's error carrying the code and data. Messages keep their order per session even when
 * filters are asynchronous, and the SDK's `extra` and send options pass through untouched.
 *
 * ```ts
 * const transport = new GopherTransport(new StdioServerTransport(), manager, { side: 'server' });
 * await server.connect(transport);
 * ```
 */
export class GopherTransport implements SdkTransport {
  /** Set by the SDK: called once when the connection closed. */
  onclose?: (() => void) | undefined;
  /** Set by the SDK: out-of-band errors. */
  onerror?: ((error: Error) => void) | undefined;
  /** Set by the SDK: messages for it. */
  onmessage?: SdkMessageHandler | undefined;

  /** The decorated transport. */
  readonly inner: SdkTransport;
  readonly side: Side;
  /** `ExchangeContext.transport` of every exchange. */
  readonly transportName: string;

  private readonly options: GopherTransportOptions;
  private readonly resolved: ResolvedFilters;
  private readonly directions: ReadonlySet<Direction>;
  private currentChain: FilterChain | undefined;
  private currentManager: FilterManager | undefined;
  private peerExchanges: PeerExchanges | undefined;
  private localExchanges: LocalExchanges | undefined;
  private negotiatedVersion: string | undefined;
  private readonly inFlight = new Set<LazyAbort>();
  private drained: Array<() => void> = [];
  private attached = false;
  private isClosing = false;
  private closeNotified = false;
  private ownedClosed: Promise<void> | undefined;
  private closing$: Promise<void> | undefined;

  /**
   * Wraps `inner`. `filters` is a `FilterManager`, a `FilterChain`, a list of filters, or a
   * `FilterManagerConfig` object (validated here: a bad one throws `ConfigError`; its family
   * packages are loaded at `start()`, see {@link GopherTransport.fromConfig} to load them first).
   */
  constructor(inner: SdkTransport, filters: FiltersInput, options: GopherTransportOptions) {
    if (options.side !== 'server' && options.side !== 'client') throw new TypeError(`side must be 'server' or 'client', got ${String(options.side)}`);
    this.inner = inner;
    this.side = options.side;
    this.options = options;
    this.transportName = options.transportName ?? detectTransportName(inner);
    this.directions = new Set(options.directions ?? ['inbound']);
    this.resolved = resolveFilters(filters, options.fromConfig);
    if (this.resolved.chain !== undefined) this.useChain(this.resolved.chain, this.resolved.manager);
    exposeStdioAccessors(this, inner);
  }

  /**
   * Builds the manager of `config` (loading the family packages it enables, so a missing package
   * fails here) and wraps `inner` with it; the transport owns and closes that manager.
   */
  static async fromConfig(inner: SdkTransport, config: FilterManagerConfigInput, options: GopherTransportOptions): Promise<GopherTransport> {
    const resolved = resolveFilters(config, options.fromConfig);
    const manager = resolved.build === undefined ? resolved.manager : await resolved.build();
    if (manager === undefined) throw new TypeError('fromConfig needs a FilterManager config object');
    return new GopherTransport(inner, manager, { ...options, closeManager: options.closeManager ?? true });
  }

  // -----------------------------------------------------------------------------------------------
  // The SDK Transport contract
  // -----------------------------------------------------------------------------------------------

  /** The inner transport's session id. */
  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  set sessionId(value: string | undefined) {
    this.inner.sessionId = value;
  }

  /** The inner transport's `hasPerRequestStream` (SDK 2.x). */
  get hasPerRequestStream(): boolean | undefined {
    return this.inner.hasPerRequestStream;
  }

  /** The negotiated protocol version, once known (from `setProtocolVersion` or the `initialize` result). */
  get protocolVersion(): string | undefined {
    return this.negotiatedVersion;
  }

  /** Notes the negotiated protocol version and passes it to the inner transport. */
  setProtocolVersion(version: string): void {
    this.negotiatedVersion = version;
    this.inner.setProtocolVersion?.(version);
  }

  /** Passes the server's supported protocol versions to the inner transport (SDK 2.x). */
  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions?.(versions);
  }

  /**
   * Builds the manager of a configuration if needed (a failure leaves the transport unattached:
   * nothing ever passes unfiltered), attaches to the inner transport and starts it.
   */
  async start(): Promise<void> {
    if (this.isClosing) throw new Error('the transport is closed');
    if (this.currentChain === undefined && this.resolved.build !== undefined) {
      const manager = await this.resolved.build();
      if (this.currentChain === undefined) this.useChain(manager.chain, manager);
      else await manager.close(); // a concurrent start() won
    }
    if (!this.attached) {
      this.attached = true;
      this.inner.onmessage = (message, extra) => this.receive(fromSdkMessage(message), extra);
      const previousClose = this.inner.onclose;
      this.inner.onclose = () => {
        try {
          previousClose?.();
        } finally {
          this.innerClosed();
        }
      };
      const previousError = this.inner.onerror;
      this.inner.onerror = (error) => {
        previousError?.(error);
        this.onerror?.(error);
      };
    }
    await this.inner.start();
  }

  /** Sends a message of the local SDK through the chain (see the class description). */
  send(sdkMessage: SdkJsonRpcMessage, options?: SdkSendOptions): Promise<void> {
    if (this.currentChain === undefined) return Promise.reject(new Error('start the transport before sending: its filter chain is not built yet'));
    const message = fromSdkMessage(sdkMessage);
    const kind = messageKindOf(message);
    if (kind === 'result' || kind === 'error') {
      const answered = this.peerExchanges?.respond(message, options);
      if (answered !== undefined) return answered;
    } else if ((kind === 'request' || kind === 'notification') && this.localExchanges !== undefined) {
      if (this.isClosing) return Promise.reject(new Error('the transport is closed'));
      return this.localExchanges.send(message, options);
    }
    return this.sendInner(sdkMessage, options);
  }

  /**
   * Fails the exchanges still waiting for a response (their response phases see a 503 and nothing
   * more is sent), waits for in-flight exchanges to finish (at most `drainTimeoutMs`), closes the
   * inner transport, then the manager when the transport owns it.
   */
  close(): Promise<void> {
    this.closing$ ??= this.shutDown();
    return this.closing$;
  }

  // -----------------------------------------------------------------------------------------------
  // Introspection
  // -----------------------------------------------------------------------------------------------

  /** The chain exchanges run through (undefined until `start()` for a configuration). */
  get chain(): FilterChain | undefined {
    return this.currentChain;
  }

  /** The manager, when the transport was given or made one. */
  get manager(): FilterManager | undefined {
    return this.currentManager;
  }

  /** Counters of the chain and of the exchanges held. */
  getStats(): GopherTransportStats {
    if (this.currentChain === undefined) throw new Error('the transport has no chain before start()');
    let chain: ChainStats | undefined;
    try {
      chain = this.currentChain.getStats();
    } catch {
      chain = undefined; // closed
    }
    return {
      chain,
      awaitingLocalResponse: this.peerExchanges?.waiting ?? 0,
      awaitingPeerResponse: this.localExchanges?.waiting ?? 0,
      inFlight: this.inFlight.size,
    };
  }

  // -----------------------------------------------------------------------------------------------
  // Internals
  // -----------------------------------------------------------------------------------------------

  private useChain(chain: FilterChain, manager: FilterManager | undefined): void {
    this.currentChain = chain;
    this.currentManager = manager;
    const host = this.host(chain);
    const clock = this.options.clock ?? chain.clock;
    const peerDirection: Direction = this.side === 'server' ? 'inbound' : 'outbound';
    const localDirection: Direction = this.side === 'server' ? 'outbound' : 'inbound';
    this.peerExchanges = this.directions.has(peerDirection) ? new PeerExchanges(host, peerDirection, clock) : undefined;
    this.localExchanges = this.directions.has(localDirection) ? new LocalExchanges(host, localDirection, clock) : undefined;
  }

  private host(chain: FilterChain): ExchangeHost {
    const logger: Logger = this.options.logger ?? chain.logger;
    const closing = (): boolean => this.isClosing;
    return {
      chain,
      logger,
      exchangeTimeoutMs: this.options.exchangeTimeoutMs ?? 0,
      get closing() {
        return closing();
      },
      context: (direction, abort, extra) => this.context(chain.clock, direction, abort, extra),
      deliver: (message, extra) => this.deliver(message, extra),
      forward: (message, options) => this.sendInner(toSdkMessage(message), options),
      reportError: (error) => {
        logger.warn({ err: describe(error) }, 'gopher-mcp: transport error');
        this.onerror?.(error);
      },
      observeResponse: (request, response) => this.observeResponse(request, response),
      begin: (abort) => {
        this.inFlight.add(abort);
      },
      end: (abort) => {
        this.inFlight.delete(abort);
        if (this.inFlight.size === 0 && this.drained.length > 0) for (const resolve of this.drained.splice(0)) resolve();
      },
    };
  }

  private context(clock: Clock, direction: Direction, abort: LazyAbort, extra: SdkMessageExtraInfo | undefined): ExchangeContext {
    const peer = peerOf(this.options.peer, extra);
    const authInfo = extra?.authInfo;
    const protocolVersion = this.negotiatedVersion ?? headerValue(peer.headers, 'mcp-protocol-version');
    const sessionId = this.inner.sessionId;
    const context = new TransportExchangeContext(
      direction,
      this.transportName,
      sessionId === undefined && protocolVersion === undefined ? NO_SESSION : { id: sessionId, protocolVersion },
      peer,
      authInfo !== undefined && this.options.principalFromAuthInfo !== false ? principalFromAuthInfo(authInfo) : undefined,
      clock,
      abort,
    );
    if (authInfo !== undefined) context.attributes.set(AUTH_INFO, authInfo);
    return context;
  }

  /** A message from the inner transport. */
  private receive(message: JsonRpcMessage, extra: SdkMessageExtraInfo | undefined): void {
    const kind = messageKindOf(message);
    if (kind === 'request' || kind === 'notification') {
      if (this.peerExchanges !== undefined) {
        this.peerExchanges.receive(message, extra);
        return;
      }
    } else if (kind === 'result' || kind === 'error') {
      if (this.localExchanges?.receiveResponse(message, extra) === true) return;
    }
    this.deliver(message, extra);
  }

  /** The inner transport's send, a synchronous throw turned into a rejection. */
  private sendInner(message: SdkJsonRpcMessage, options: SdkSendOptions | undefined): Promise<void> {
    try {
      return this.inner.send(message, options);
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  private deliver(message: JsonRpcMessage, extra: SdkMessageExtraInfo | undefined): void {
    try {
      this.onmessage?.(toSdkMessage(message), extra);
    } catch (error) {
      this.onerror?.(asError(error));
    }
  }

  private observeResponse(request: MessageView, response: MessageView): void {
    if (request.method !== 'initialize' || response.kind !== 'result') return;
    const version = (response.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
    if (typeof version === 'string') this.negotiatedVersion ??= version;
  }

  private async shutDown(): Promise<void> {
    this.stopExchanges();
    await this.drain();
    try {
      await this.inner.close();
    } finally {
      this.notifyClosed();
      await this.closeOwned();
    }
  }

  /** The inner transport closed (by itself, or through `close()`). */
  private innerClosed(): void {
    this.stopExchanges();
    this.notifyClosed();
    if (this.closing$ === undefined) {
      void this.drain()
        .then(() => this.closeOwned())
        .catch((error: unknown) => this.logger().warn({ err: describe(error) }, 'gopher-mcp: closing the filter manager failed'));
    }
  }

  private stopExchanges(): void {
    this.isClosing = true;
    for (const abort of this.inFlight) abort.abort(new Error('the transport closed'));
    this.peerExchanges?.releaseAll();
    this.localExchanges?.releaseAll();
  }

  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const clock = this.options.clock ?? this.currentChain?.clock;
    const limit = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    let timer: { cancel(): void } | undefined;
    const expired = new Promise<void>((resolve) => {
      if (clock !== undefined) timer = clock.setTimer(limit, resolve);
    });
    const allDone = new Promise<void>((resolve) => {
      if (this.inFlight.size === 0) resolve();
      else this.drained.push(resolve);
    });
    await Promise.race([allDone, expired]);
    timer?.cancel();
    if (this.inFlight.size > 0) this.logger().warn({ inFlight: this.inFlight.size }, 'gopher-mcp: closed with exchanges still running their filters');
  }

  private notifyClosed(): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.onclose?.();
  }

  private closeOwned(): Promise<void> {
    this.ownedClosed ??= (async () => {
      if (!(this.options.closeManager ?? this.resolved.made)) return;
      if (this.currentManager !== undefined) await this.currentManager.close();
      else await this.currentChain?.close();
    })();
    return this.ownedClosed;
  }

  private logger(): Logger {
    return this.options.logger ?? this.currentChain?.logger ?? silentLogger;
  }
}

/**
 * The SDK 2.x client recognises its stdio transport by `stderr` and `pid` accessors; the decorator
 * shows the inner transport's when it has them, so a wrapped stdio transport is still seen as one.
 */
function exposeStdioAccessors(target: GopherTransport, inner: SdkTransport): void {
  for (const name of ['stderr', 'pid'] as const) {
    if (!(name in inner)) continue;
    Object.defineProperty(target, name, {
      get: () => (inner as unknown as Record<string, unknown>)[name],
      enumerable: false,
      configurable: true,
    });
  }
}
