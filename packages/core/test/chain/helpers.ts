import type { Filter, JsonRpcMessage, JsonRpcRequest, MessageView } from '../../src/index.js';

/** A request with `id` and `method`. */
export function request(id: number | string, method = 'tools/call', params: Record<string, unknown> = { name: 'echo' }): JsonRpcRequest {
  return { jsonrpc: '2.0', id, method, params };
}

/** A result response for `id`. */
export function result(id: number | string, value: Record<string, unknown> = { ok: true }): JsonRpcMessage {
  return { jsonrpc: '2.0', id, result: value };
}

/** A filter that records its request and response phases into `log`. */
export function recorder(label: string, log: string[]): Filter {
  return {
    type: 'custom',
    async handle(exchange, next) {
      log.push(`${label}:request:${exchange.message.method ?? exchange.message.kind}`);
      const response = await next();
      log.push(`${label}:response:${response?.kind ?? 'none'}`);
      return response;
    },
  };
}

/** A filter that denies every request with `code`. */
export function denier(code: number, message = 'denied'): Filter {
  return { type: 'custom', handle: (exchange) => exchange.deny(code, message, { rule: 'test' }) };
}

/** A filter that throws in its request phase. */
export function thrower(failClosed = false): Filter {
  return {
    type: 'custom',
    failClosed,
    handle() {
      throw new Error('boom');
    },
  };
}

/** The JSON-RPC error code of a message, if it is an error response. */
export function errorCode(message: JsonRpcMessage | MessageView | undefined): number | undefined {
  if (message === undefined) return undefined;
  const m = ('message' in message && typeof (message as MessageView).bytes === 'function' ? (message as MessageView).message : message) as JsonRpcMessage;
  return 'error' in m ? m.error.code : undefined;
}
