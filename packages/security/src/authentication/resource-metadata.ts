import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import type { AuthenticationConfig } from '@gopher-mcp/core';

/** Validated RFC 9728 options. */
export type ResourceMetadataConfig = NonNullable<AuthenticationConfig['resourceMetadata']>;

/** The RFC 9728 protected resource metadata document. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers?: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
}

/** The well-known path of RFC 9728. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * Where the metadata of `resource` lives (RFC 9728 section 3.1): the well-known path inserted
 * between the host and the resource's path, e.g. `https://mcp.example.com/mcp` ->
 * `https://mcp.example.com/.well-known/oauth-protected-resource/mcp`.
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}`;
}

/** The metadata URL in challenges: the configured one, else the one derived from the resource. */
export function metadataUrlOf(config: Pick<ResourceMetadataConfig, 'resource' | 'metadataUrl'>): string {
  return config.metadataUrl ?? resourceMetadataUrl(config.resource);
}

/** Makes the RFC 9728 document of a resource. */
export function protectedResourceMetadata(config: {
  readonly resource: string;
  readonly authorizationServers?: readonly string[];
  readonly scopesSupported?: readonly string[];
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
}): ProtectedResourceMetadata {
  return {
    resource: config.resource,
    ...(config.authorizationServers !== undefined && config.authorizationServers.length > 0
      ? { authorization_servers: [...config.authorizationServers] }
      : {}),
    ...(config.scopesSupported !== undefined && config.scopesSupported.length > 0 ? { scopes_supported: [...config.scopesSupported] } : {}),
    bearer_methods_supported: ['header'],
    ...(config.resourceName === undefined ? {} : { resource_name: config.resourceName }),
    ...(config.resourceDocumentation === undefined ? {} : { resource_documentation: config.resourceDocumentation }),
  };
}

/**
 * A node:http handler for the metadata document: answers `GET`/`HEAD` (and CORS `OPTIONS`) on the
 * well-known path, both the path-suffixed form of RFC 9728 section 3.1 and the bare one, and
 * returns true; returns false (and touches nothing) for any other path.
 */
export function protectedResourceMetadataHandler(
  metadata: ProtectedResourceMetadata,
  options: { readonly metadataUrl?: string } = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const paths = new Set([PROTECTED_RESOURCE_WELL_KNOWN, new URL(options.metadataUrl ?? resourceMetadataUrl(metadata.resource)).pathname]);
  const body = JSON.stringify(metadata);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (!paths.has(path)) return false;
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': '*' }).end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS' }).end();
      return true;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'max-age=3600',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/**
 * Wraps a node:http request listener so the server also serves the RFC 9728 document:
 * `http.createServer(withProtectedResourceMetadata(metadata, app))`. Other requests go to
 * `listener` (404 when there is none).
 */
export function withProtectedResourceMetadata(
  metadata: ProtectedResourceMetadata,
  listener?: RequestListener,
  options: { readonly metadataUrl?: string } = {},
): RequestListener {
  const handle = protectedResourceMetadataHandler(metadata, options);
  return (req, res) => {
    if (handle(req, res)) return;
    if (listener !== undefined) {
      listener(req, res);
      return;
    }
    res.writeHead(404).end();
  };
}
