import type { ExchangeContext, MessageView } from '@gopher-mcp/core';
import type { Attributes } from '@opentelemetry/api';

/** What the transport name says about `network.transport` / `network.protocol.name`. */
const NETWORK: Readonly<Record<string, { readonly transport: string; readonly protocol?: string }>> = {
  stdio: { transport: 'pipe' },
  tcp: { transport: 'tcp' },
  udp: { transport: 'udp' },
  http: { transport: 'tcp', protocol: 'http' },
  'streamable-http': { transport: 'tcp', protocol: 'http' },
};

/** The attribute names of the peer: the client's on a SERVER span (inbound), the server's on a CLIENT span. */
const PEER_KEYS = {
  inbound: { address: 'client.address', port: 'client.port' },
  outbound: { address: 'server.address', port: 'server.port' },
} as const;

/**
 * The span name of the OpenTelemetry MCP conventions: `{mcp.method.name} {target}`, where the
 * target is the tool or prompt name (the resource URI only when asked: it has high cardinality);
 * the method alone when there is no target.
 */
export function spanName(message: MessageView, resourceUriAsTarget: boolean): string {
  const method = message.method ?? message.kind;
  const target = message.toolName ?? message.promptName ?? (resourceUriAsTarget ? message.resourceUri : undefined);
  return target === undefined ? method : `${method} ${target}`;
}

/** {@link spanName} remembering the last name: consecutive exchanges mostly call the same method and target. */
export class SpanNames {
  private method: string | undefined = undefined;
  private target: string | undefined = undefined;
  private name = '';

  constructor(private readonly resourceUriAsTarget: boolean) {}

  /** The span name of `message`. */
  of(message: MessageView): string {
    const method = message.method ?? message.kind;
    const target = message.toolName ?? message.promptName ?? (this.resourceUriAsTarget ? message.resourceUri : undefined);
    if (method !== this.method || target !== this.target) {
      this.name = target === undefined ? method : `${method} ${target}`;
      this.method = method;
      this.target = target;
    }
    return this.name;
  }
}

/** `value` as JSON, cut to `maxBytes` characters (marked with `…`) when longer. */
export function captured(value: unknown, maxBytes: number): string | undefined {
  const json = JSON.stringify(value);
  if (json === undefined) return undefined;
  if (Buffer.byteLength(json) <= maxBytes) return json;
  let cut = json.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * The attributes a span has from its start (so samplers see them): `mcp.method.name`,
 * `gen_ai.tool.name` + `gen_ai.operation.name` (tools/call), `gen_ai.prompt.name`,
 * `mcp.resource.uri`, `jsonrpc.request.id`, `mcp.session.id`, `mcp.protocol.version`,
 * `network.transport`, `network.protocol.name`, and the peer as `client.address`/`client.port`
 * (inbound, a SERVER span) or `server.address`/`server.port` (outbound, a CLIENT span).
 */
export function startAttributes(message: MessageView, context: ExchangeContext): Attributes {
  const attributes: Attributes = {};
  if (message.method !== undefined) attributes['mcp.method.name'] = message.method;
  const tool = message.toolName;
  if (tool !== undefined) {
    attributes['gen_ai.tool.name'] = tool;
    attributes['gen_ai.operation.name'] = 'execute_tool';
  }
  const prompt = message.promptName;
  if (prompt !== undefined) attributes['gen_ai.prompt.name'] = prompt;
  const resource = message.resourceUri;
  if (resource !== undefined) attributes['mcp.resource.uri'] = resource;
  const id = message.id;
  if (message.kind === 'request' && id !== undefined && id !== null) attributes['jsonrpc.request.id'] = String(id);
  const session = context.session;
  if (session.id !== undefined) attributes['mcp.session.id'] = session.id;
  if (session.protocolVersion !== undefined) attributes['mcp.protocol.version'] = session.protocolVersion;
  const network = NETWORK[context.transport];
  if (network !== undefined) {
    attributes['network.transport'] = network.transport;
    if (network.protocol !== undefined) attributes['network.protocol.name'] = network.protocol;
  }
  const { address, port } = context.peer;
  if (address !== undefined) attributes[PEER_KEYS[context.direction].address] = address;
  if (port !== undefined) attributes[PEER_KEYS[context.direction].port] = port;
  return attributes;
}
