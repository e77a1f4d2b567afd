import type { NativeLibrary } from '../native-library/library.js';

/** A status-returning native call (`gmcp_status`). */
type Call<A extends unknown[]> = (...args: A) => number;

/**
 * The koffi bindings of the buffers section of `gopher_mcp_c.h`, with the scratch arrays the calls
 * write their out-parameters to (JS is single-threaded: a call's outputs are read right after it).
 * Every pointer is declared `void *` (handles are koffi BigInt pointers; byte buffers and typed
 * arrays are passed without copying).
 */
export interface BufferBindings {
  readonly library: NativeLibrary;
  readonly poolNew: Call<[slabSize: number, maxSlabs: number, out: BigUint64Array]>;
  readonly poolFree: (pool: bigint) => void;
  readonly poolStats: Call<[pool: bigint, out: BigUint64Array]>;
  readonly bufferNew: Call<[pool: bigint, out: BigUint64Array]>;
  readonly bufferFree: (buffer: bigint) => void;
  readonly add: Call<[buffer: bigint, data: Uint8Array, length: number, watermark: Int32Array]>;
  readonly reserve: Call<[buffer: bigint, size: number, region: BigUint64Array]>;
  readonly commit: Call<[buffer: bigint, length: number, watermark: Int32Array]>;
  readonly drain: Call<[buffer: bigint, length: number, watermark: Int32Array]>;
  readonly copyOut: Call<[buffer: bigint, offset: number, length: number, dst: Uint8Array]>;
  readonly linearize: Call<[buffer: bigint, length: number, region: BigUint64Array]>;
  readonly search: Call<[buffer: bigint, needle: Uint8Array, needleLength: number, start: number, out: Int32Array]>;
  readonly slice: Call<[buffer: bigint, offset: number, length: number, out: BigUint64Array]>;
  readonly setWatermarks: Call<[buffer: bigint, low: number, high: number, watermark: Int32Array]>;
  readonly watermarks: Call<[buffer: bigint, out: BigUint64Array]>;
  readonly noop: Call<[data: Uint8Array, length: number]>;
  /** Out-parameter for a new handle (`gmcp_xxx **`). */
  readonly handleOut: BigUint64Array;
  /** Out-parameter `gmcp_buffer_region`: data, slab_index, slab_offset, length. */
  readonly region: BigUint64Array;
  /** The same memory as 32-bit words: index, offset and length (all below 2^32) without BigInt. */
  readonly regionWords: Uint32Array;
  /** Out-parameter `int32_t *out_watermark`. */
  readonly watermark: Int32Array;
  /** Out-parameter `int64_t *` read as two 32-bit halves (little-endian). */
  readonly int64: Int32Array;
  /** Out-parameter for the stats and watermark structs (up to 9 uint64). */
  readonly wide: BigUint64Array;
  /** Frees pool handles whose objects were collected without close(). */
  readonly poolRegistry: FinalizationRegistry<bigint>;
  /** Frees buffer handles whose objects were collected without close(). */
  readonly bufferRegistry: FinalizationRegistry<bigint>;
}

const cache = new WeakMap<NativeLibrary, BufferBindings>();

/** The buffers bindings of `library` (made once per library). */
export function bufferBindings(library: NativeLibrary): BufferBindings {
  let bindings = cache.get(library);
  if (bindings === undefined) {
    bindings = bind(library);
    cache.set(library, bindings);
  }
  return bindings;
}

function bind(library: NativeLibrary): BufferBindings {
  const region = new BigUint64Array(4);
  const f = (prototype: string) => library.lib.func(prototype) as (...args: unknown[]) => number;
  const poolFree = library.lib.func('void gmcp_buffer_pool_free(void *pool)') as (pool: bigint) => void;
  const bufferFree = library.lib.func('void gmcp_buffer_free(void *buffer)') as (buffer: bigint) => void;
  return {
    library,
    poolNew: f('int32_t gmcp_buffer_pool_new(size_t slab_size, size_t max_slabs, void *out_pool)'),
    poolFree,
    poolStats: f('int32_t gmcp_buffer_pool_stats_get(void *pool, void *out_stats)'),
    bufferNew: f('int32_t gmcp_buffer_new(void *pool, void *out_buffer)'),
    bufferFree,
    add: f('int32_t gmcp_buffer_add(void *buffer, const void *data, size_t length, void *out_watermark)'),
    reserve: f('int32_t gmcp_buffer_reserve(void *buffer, size_t size, void *out_region)'),
    commit: f('int32_t gmcp_buffer_commit(void *buffer, size_t length, void *out_watermark)'),
    drain: f('int32_t gmcp_buffer_drain(void *buffer, size_t length, void *out_watermark)'),
    copyOut: f('int32_t gmcp_buffer_copy_out(void *buffer, size_t offset, size_t length, void *dst)'),
    linearize: f('int32_t gmcp_buffer_linearize(void *buffer, size_t length, void *out_region)'),
    search: f(
      'int32_t gmcp_buffer_search(void *buffer, const void *needle, size_t needle_length, size_t start, void *out_index)',
    ),
    slice: f('int32_t gmcp_buffer_slice(void *buffer, size_t offset, size_t length, void *out_buffer)'),
    setWatermarks: f('int32_t gmcp_buffer_set_watermarks(void *buffer, size_t low, size_t high, void *out_watermark)'),
    watermarks: f('int32_t gmcp_buffer_watermarks_get(void *buffer, void *out_state)'),
    noop: f('int32_t gmcp_buffer_noop(const void *data, size_t length)'),
    handleOut: new BigUint64Array(1),
    region,
    regionWords: new Uint32Array(region.buffer),
    watermark: new Int32Array(1),
    int64: new Int32Array(2),
    wide: new BigUint64Array(9),
    poolRegistry: new FinalizationRegistry<bigint>((handle) => poolFree(handle)),
    bufferRegistry: new FinalizationRegistry<bigint>((handle) => bufferFree(handle)),
  };
}
