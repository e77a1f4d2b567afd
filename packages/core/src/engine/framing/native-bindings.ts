import type { NativeLibrary } from '../native-library/library.js';

/** A status-returning native call (`gmcp_status`). */
type Call<A extends unknown[]> = (...args: A) => number;

/** Events one native push may write before it returns (it resumes with the rest of the chunk). */
export const EVENT_CAPACITY = 4096;
/** 32-bit words per `gmcp_frame_event` (type, reserved, a lo/hi, b lo/hi). */
export const EVENT_WORDS = 6;

/**
 * The koffi bindings of the framing section of `gopher_mcp_c.h` and their scratch arrays: the event
 * array and the `gmcp_framer_result`, both read as 32-bit words (64-bit fields as lo + hi * 2^32).
 */
export interface FramingBindings {
  readonly library: NativeLibrary;
  readonly framerNew: Call<[kind: number, maxFrameSize: number, out: BigUint64Array]>;
  readonly framerFree: (framer: bigint) => void;
  readonly push: Call<
    [framer: bigint, chunk: Uint8Array, length: number, events: Uint32Array, capacity: number, result: Uint32Array]
  >;
  readonly readSpill: Call<[framer: bigint, dst: Uint8Array, length: number]>;
  readonly end: Call<[framer: bigint, events: Uint32Array, capacity: number, result: Uint32Array]>;
  readonly handleOut: BigUint64Array;
  readonly events: Uint32Array;
  readonly result: Uint32Array;
  /** Frees framer handles whose objects were collected without close(). */
  readonly registry: FinalizationRegistry<bigint>;
}

const cache = new WeakMap<NativeLibrary, FramingBindings>();

/** The framing bindings of `library` (made once per library). */
export function framingBindings(library: NativeLibrary): FramingBindings {
  let bindings = cache.get(library);
  if (bindings === undefined) {
    bindings = bind(library);
    cache.set(library, bindings);
  }
  return bindings;
}

function bind(library: NativeLibrary): FramingBindings {
  const f = (prototype: string) => library.lib.func(prototype) as (...args: unknown[]) => number;
  const framerFree = library.lib.func('void gmcp_framer_free(void *framer)') as (framer: bigint) => void;
  return {
    library,
    framerNew: f('int32_t gmcp_framer_new(int32_t kind, size_t max_frame_size, void *out_framer)'),
    framerFree,
    push: f(
      'int32_t gmcp_framer_push(void *framer, const void *chunk, size_t length, void *events, size_t capacity, void *out_result)',
    ),
    readSpill: f('int32_t gmcp_framer_read_spill(void *framer, void *dst, size_t length)'),
    end: f('int32_t gmcp_framer_end(void *framer, void *events, size_t capacity, void *out_result)'),
    handleOut: new BigUint64Array(1),
    events: new Uint32Array(EVENT_CAPACITY * EVENT_WORDS),
    result: new Uint32Array(6),
    registry: new FinalizationRegistry<bigint>((handle) => framerFree(handle)),
  };
}
