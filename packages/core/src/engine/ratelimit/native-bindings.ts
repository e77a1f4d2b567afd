import type { NativeLibrary } from '../native-library/library.js';

/** A status-returning native call (`gmcp_status`). */
type Call<A extends unknown[]> = (...args: A) => number;

/** GMCP_RATELIMIT_IO_KEY_CAPACITY: key bytes the mailbox holds. */
export const IO_KEY_CAPACITY = 200;
/** Byte offset of the key area in `gmcp_ratelimit_io` (eight doubles come first). */
export const IO_KEY_OFFSET = 64;
/** sizeof(gmcp_ratelimit_io). */
export const IO_SIZE = IO_KEY_OFFSET + IO_KEY_CAPACITY;

/**
 * The koffi bindings of the ratelimit section of `gopher_mcp_c.h` with the scratch arrays their
 * out-parameters are written to (JS is single-threaded: outputs are read right after the call).
 * Handles are koffi BigInt pointers; byte keys and typed arrays are passed without copying.
 */
export interface RateLimitBindings {
  readonly library: NativeLibrary;
  readonly create: Call<
    [algorithm: number, limit: number, rate: number, windowMs: number, maxKeys: number, idleMs: number, hashKey: Uint8Array, out: BigUint64Array]
  >;
  readonly free: (table: bigint) => void;
  readonly decide: Call<[table: bigint, mode: number, key: Uint8Array, length: number, nowMs: number, cost: number, out: Float64Array | null]>;
  readonly ioBlock: Call<[table: bigint, out: BigUint64Array]>;
  readonly decideIo: Call<[table: bigint]>;
  readonly decideIoString: Call<[table: bigint, key: string]>;
  readonly resetKey: Call<[table: bigint, key: Uint8Array, length: number, out: Int32Array]>;
  readonly clear: Call<[table: bigint]>;
  readonly prune: Call<[table: bigint, nowMs: number, out: Float64Array]>;
  readonly stats: Call<[table: bigint, out: Float64Array]>;
  readonly hashKey: Call<[hashKey: Uint8Array, key: Uint8Array, length: number, out: Uint32Array]>;
  /** Out-parameter for a handle or a pointer. */
  readonly pointerOut: BigUint64Array;
  /** Out-parameter for up to 7 doubles (decisions, stats, prune). */
  readonly doubles: Float64Array;
  /** Out-parameter `int32_t *`. */
  readonly int32: Int32Array;
  /** Out-parameter of gmcp_ratelimit_hash_key. */
  readonly words: Uint32Array;
  /** Frees tables whose objects were collected without close(). */
  readonly registry: FinalizationRegistry<bigint>;
}

const cache = new WeakMap<NativeLibrary, RateLimitBindings>();

/** The ratelimit bindings of `library` (made once per library). */
export function rateLimitBindings(library: NativeLibrary): RateLimitBindings {
  let bindings = cache.get(library);
  if (bindings === undefined) {
    bindings = bind(library);
    cache.set(library, bindings);
  }
  return bindings;
}

function bind(library: NativeLibrary): RateLimitBindings {
  const f = (prototype: string) => library.lib.func(prototype) as (...args: unknown[]) => number;
  const free = library.lib.func('void gmcp_ratelimit_free(void *table)') as (table: bigint) => void;
  return {
    library,
    create: f(
      'int32_t gmcp_ratelimit_create(uint32_t algorithm, double limit, double rate_per_second, double window_ms, double max_keys, double idle_timeout_ms, const void *hash_key, void *out_table)',
    ),
    free,
    decide: f(
      'int32_t gmcp_ratelimit_decide(void *table, uint32_t mode, const void *key, size_t key_length, double now_ms, double cost, void *out_decision)',
    ),
    ioBlock: f('int32_t gmcp_ratelimit_io_block(void *table, void *out_io)'),
    decideIo: f('int32_t gmcp_ratelimit_decide_io(void *table)'),
    decideIoString: f('int32_t gmcp_ratelimit_decide_io_string(void *table, const char *key)'),
    resetKey: f('int32_t gmcp_ratelimit_reset_key(void *table, const void *key, size_t key_length, void *out_removed)'),
    clear: f('int32_t gmcp_ratelimit_clear(void *table)'),
    prune: f('int32_t gmcp_ratelimit_prune(void *table, double now_ms, void *out_evicted)'),
    stats: f('int32_t gmcp_ratelimit_stats(void *table, void *out_stats)'),
    hashKey: f('int32_t gmcp_ratelimit_hash_key(const void *hash_key, const void *key, size_t key_length, void *out_hash)'),
    pointerOut: new BigUint64Array(1),
    doubles: new Float64Array(8),
    int32: new Int32Array(1),
    words: new Uint32Array(2),
    registry: new FinalizationRegistry<bigint>((handle) => free(handle)),
  };
}
