import type { Filter, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, Logger, Principal } from '@gopher-mcp/core';

/** A request. */
export function request(id: number | string, method: string, params?: Record<string, unknown>): JsonRpcRequest {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

/** A tools/call request. */
export function toolCall(id: number | string, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): JsonRpcRequest {
  return request(id, 'tools/call', meta === undefined ? { name, arguments: args } : { name, arguments: args, _meta: meta });
}

/** A notification. */
export function notification(method: string, params?: Record<string, unknown>): JsonRpcNotification {
  return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
}

/** A result response. */
export function result(id: number | string, value: Record<string, unknown>): JsonRpcMessage {
  return { jsonrpc: '2.0', id, result: value };
}

/** An error response. */
export function errorResponse(id: number | string, code: number, message: string): JsonRpcMessage {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** Lines written to a stream-like collector. */
export class Lines {
  readonly chunks: string[] = [];
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get lines(): string[] {
    return this.chunks.join('').split('\n').filter((l) => l.length > 0);
  }
}

/** A filter (named by the chain entry) that denies requests for which `when` holds. */
export function denyWhen(code: number, message: string, data: Record<string, unknown>, when: (method: string | undefined, tool: string | undefined) => boolean): Filter {
  return {
    type: 'custom',
    handle(exchange, next) {
      if (when(exchange.message.method, exchange.message.toolName)) return exchange.deny(code, message, data);
      return next();
    },
  };
}

/** A filter that sets the principal, as an authentication filter would. */
export function authenticateAs(principal: Principal): Filter {
  return {
    type: 'custom',
    handle(exchange, next) {
      exchange.context.principal = principal;
      return next();
    },
  };
}

/** A principal with just a subject. */
export function principal(subject: string): Principal {
  return { subject, scopes: [], roles: [], claims: {}, method: 'api_key' };
}

/** A pino-compatible logger that records its calls. */
export class RecordingLogger implements Logger {
  readonly calls: Array<{ level: string; object: Record<string, unknown> | undefined; message: string | undefined }> = [];
  private log(level: string, a: Record<string, unknown> | string, b?: string): void {
    if (typeof a === 'string') this.calls.push({ level, object: undefined, message: a });
    else this.calls.push({ level, object: a, message: b });
  }
  debug = (a: Record<string, unknown> | string, b?: string): void => this.log('debug', a, b);
  info = (a: Record<string, unknown> | string, b?: string): void => this.log('info', a, b);
  warn = (a: Record<string, unknown> | string, b?: string): void => this.log('warn', a, b);
  error = (a: Record<string, unknown> | string, b?: string): void => this.log('error', a, b);
}

/** A seeded pseudo-random source (mulberry32), for sampling tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
