import type { Clock } from '@gopher-mcp/core';

/** The `fetch` the SDK calls (the global one by default): injectable for tests and custom agents. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The global fetch, looked up at call time. */
export const globalFetch: FetchLike = (input, init) => fetch(input, init);

/** Fails a fetch that is slower than the timeout (measured on the injected clock). */
export class FetchTimeoutError extends Error {
  override readonly name = 'FetchTimeoutError';
}

/**
 * Calls `fetchFn` with a timeout on `clock` and reads the body as JSON, refusing bodies over
 * `maxBytes`. Resolves with the status and the parsed body (undefined when not JSON).
 */
export async function fetchJson(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  options: { readonly clock: Clock; readonly timeoutMs: number; readonly maxBytes: number; readonly signal?: AbortSignal },
): Promise<{ status: number; body: unknown }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = options.clock.setTimer(options.timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchFn(url, { ...init, signal: controller.signal, redirect: 'manual' });
    const text = await readLimited(response, options.maxBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch (error) {
    if (timedOut) throw new FetchTimeoutError(`no answer within ${options.timeoutMs} ms`);
    throw error;
  } finally {
    timer.cancel();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`response larger than ${maxBytes} bytes`);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`response larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
