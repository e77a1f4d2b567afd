/*
 * gopher_mcp_c.h: the C ABI of libgopher_mcp_c, the native engine of Gopher MCP.
 *
 * ABI rules (DESIGN section 5):
 *  - every symbol has the gmcp_ prefix;
 *  - every call returns a gmcp_status (0 ok, negative error) and writes results to out-parameters;
 *    on error, gmcp_last_error() returns a message for the calling thread;
 *  - handles are opaque typed pointers; each family has its own free function; freeing NULL is OK;
 *  - no C++ exception and no output to stdout or stderr ever crosses this boundary;
 *  - input buffers are borrowed for the duration of the call only, never kept;
 *  - the ABI version is checked by the loader: bump GMCP_ABI_VERSION on any incompatible change.
 */
#ifndef GOPHER_MCP_C_H
#define GOPHER_MCP_C_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(GMCP_BUILDING_LIBRARY)
#    define GMCP_API __declspec(dllexport)
#  else
#    define GMCP_API __declspec(dllimport)
#  endif
#else
#  define GMCP_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------ */
/* Common                                                                                           */
/* ------------------------------------------------------------------------------------------------ */

#define GMCP_ABI_VERSION 1

typedef int32_t gmcp_status;

#define GMCP_OK 0
#define GMCP_E_INVALID_ARGUMENT (-1) /* a NULL handle, a bad option value */
#define GMCP_E_OUT_OF_MEMORY (-2)    /* allocation failed or a pool is exhausted */
#define GMCP_E_LIMIT (-3)            /* a size, depth or capacity limit was exceeded */
#define GMCP_E_MALFORMED (-4)        /* the input is not well-formed */
#define GMCP_E_STATE (-5)            /* the call is not valid in the object's current state */
#define GMCP_E_NOT_FOUND (-6)        /* nothing at that key or position */
#define GMCP_E_INTERNAL (-99)        /* an unexpected failure inside the library (a caught exception) */

/** The ABI version this library was built with (GMCP_ABI_VERSION). Never fails. */
GMCP_API uint32_t gmcp_abi_version(void);

/** The library's semantic version, a static NUL-terminated string. Never fails. */
GMCP_API const char *gmcp_library_version(void);

/**
 * The message of the last failed call on the calling thread. Meaningful only right after a call
 * that returned a negative status (successful calls on hot paths do not clear it). The string stays
 * valid until the next gmcp_ call on the same thread.
 */
GMCP_API const char *gmcp_last_error(void);

/* ------------------------------------------------------------------------------------------------ */
/* SECTION buffers: buffer pool, buffers, slices, watermarks (begin)                                */
/*
 * A pool owns fixed-size slabs (allocated lazily up to max_slabs, then cached, never returned to the
 * system before the pool dies). A buffer is a sequence of slices over slabs; a slab carries a count
 * of the slices (of any buffer) and reservations that use it and goes back to the pool when it drops
 * to zero. Bytes below a slab's fill mark are never written again, so slices can be shared freely.
 *
 * Lifetime: gmcp_buffer_pool_free drops the caller's reference; every live buffer keeps the pool
 * alive (and fully usable) until it is freed too. Memory returned by reserve / linearize stays
 * valid until the next call that mutates that buffer (add, reserve, commit, drain, linearize) or
 * frees it.
 *
 * Failures leave the buffer unchanged. Pool exhaustion is GMCP_E_OUT_OF_MEMORY and counts one failed
 * acquisition. Range errors are GMCP_E_INVALID_ARGUMENT. add, reserve and drain first discard a
 * pending reservation once their arguments are valid (commit then fails with GMCP_E_STATE).
 *
 * Watermarks (off while high == 0): after add, commit, drain and set_watermarks the buffer reports
 * GMCP_WATERMARK_HIGH when its length goes above `high` (and it was not above), and
 * GMCP_WATERMARK_LOW when it was above and its length is back at or below `low` (or high became 0).
 */
typedef struct gmcp_buffer_pool gmcp_buffer_pool;
typedef struct gmcp_buffer gmcp_buffer;

#define GMCP_WATERMARK_NONE 0
#define GMCP_WATERMARK_HIGH 1
#define GMCP_WATERMARK_LOW 2

#define GMCP_BUFFER_MAX_SLAB_SIZE ((size_t)1 << 30)
#define GMCP_BUFFER_MAX_SLABS ((size_t)1 << 24)

/** Pool statistics (all counters since the pool was created). */
typedef struct gmcp_buffer_pool_stats {
  uint64_t slab_size;
  uint64_t slabs_max;
  uint64_t slabs_total;      /* slabs allocated: in use + cached free */
  uint64_t slabs_in_use;
  uint64_t slabs_free;       /* allocated and cached for reuse */
  uint64_t high_water;       /* the largest slabs_in_use ever */
  uint64_t acquires;         /* successful slab acquisitions */
  uint64_t releases;         /* slabs returned to the pool */
  uint64_t failed_acquires;  /* operations refused because the pool was exhausted */
} gmcp_buffer_pool_stats;

/** A contiguous region of slab memory, with where it lies (so bindings can cache one view per slab). */
typedef struct gmcp_buffer_region {
  uint8_t *data;        /* NULL when length is 0 */
  uint64_t slab_index;  /* stable index of the slab in its pool */
  uint64_t slab_offset; /* offset of data in that slab */
  uint64_t length;
} gmcp_buffer_region;

/** The watermark settings and state of a buffer. */
typedef struct gmcp_buffer_watermark_state {
  uint64_t low;
  uint64_t high;
  uint64_t above_high; /* 1 after a HIGH report until the next LOW report */
} gmcp_buffer_watermark_state;

/** Creates a pool of slabs of slab_size bytes (1..GMCP_BUFFER_MAX_SLAB_SIZE), at most max_slabs (1..GMCP_BUFFER_MAX_SLABS). */
GMCP_API gmcp_status gmcp_buffer_pool_new(size_t slab_size, size_t max_slabs, gmcp_buffer_pool **out_pool);
/** Drops the caller's reference; the pool dies with its last buffer. Accepts NULL. */
GMCP_API void gmcp_buffer_pool_free(gmcp_buffer_pool *pool);
GMCP_API gmcp_status gmcp_buffer_pool_stats_get(const gmcp_buffer_pool *pool, gmcp_buffer_pool_stats *out_stats);

/** Creates an empty buffer drawing slabs from pool (watermarks off). */
GMCP_API gmcp_status gmcp_buffer_new(gmcp_buffer_pool *pool, gmcp_buffer **out_buffer);
/** Frees a buffer, its slices and pending reservation. Accepts NULL. */
GMCP_API void gmcp_buffer_free(gmcp_buffer *buffer);
GMCP_API gmcp_status gmcp_buffer_length(const gmcp_buffer *buffer, uint64_t *out_length);
/** Appends a copy of data. out_watermark (may be NULL) receives a GMCP_WATERMARK_* value. */
GMCP_API gmcp_status gmcp_buffer_add(gmcp_buffer *buffer, const uint8_t *data, size_t length, int32_t *out_watermark);
/**
 * Reserves `size` (1..slab size, else GMCP_E_LIMIT) contiguous writable bytes at the end: in the last
 * slab when it has room, else in a new slab. Their content is unspecified until written.
 */
GMCP_API gmcp_status gmcp_buffer_reserve(gmcp_buffer *buffer, size_t size, gmcp_buffer_region *out_region);
/** Appends the first `length` bytes of the pending reservation (0..its size) and ends it. */
GMCP_API gmcp_status gmcp_buffer_commit(gmcp_buffer *buffer, size_t length, int32_t *out_watermark);
/** Removes `length` bytes from the front. */
GMCP_API gmcp_status gmcp_buffer_drain(gmcp_buffer *buffer, size_t length, int32_t *out_watermark);
/** Copies `length` bytes starting at `offset` to dst (which may be NULL when length is 0). */
GMCP_API gmcp_status gmcp_buffer_copy_out(const gmcp_buffer *buffer, size_t offset, size_t length, uint8_t *dst);
/**
 * Makes the first `length` bytes contiguous and returns them: in place when they lie in one slice,
 * else copied into a new slab (length above the slab size is GMCP_E_LIMIT).
 */
GMCP_API gmcp_status gmcp_buffer_linearize(gmcp_buffer *buffer, size_t length, gmcp_buffer_region *out_region);
/** Index of the first occurrence of needle at or after start, or -1. An empty needle matches at start (if start <= length). */
GMCP_API gmcp_status gmcp_buffer_search(const gmcp_buffer *buffer, const uint8_t *needle, size_t needle_length,
                                        size_t start, int64_t *out_index);
/** A new buffer over bytes [offset, offset + length) sharing the slabs (no copy; watermarks off). */
GMCP_API gmcp_status gmcp_buffer_slice(gmcp_buffer *buffer, size_t offset, size_t length, gmcp_buffer **out_buffer);
/** Sets the watermarks (low <= high; high == 0 turns them off) and re-evaluates the state. */
GMCP_API gmcp_status gmcp_buffer_set_watermarks(gmcp_buffer *buffer, size_t low, size_t high, int32_t *out_watermark);
GMCP_API gmcp_status gmcp_buffer_watermarks_get(const gmcp_buffer *buffer, gmcp_buffer_watermark_state *out_state);
/** Does nothing and returns GMCP_OK: measures the cost of one call passing a byte buffer. */
GMCP_API gmcp_status gmcp_buffer_noop(const uint8_t *data, size_t length);
/* SECTION buffers (end)                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION framing: newline-delimited JSON and Content-Length framers (begin)                       */
/*
 * Incremental framers over a byte stream pushed in chunks split anywhere.
 *  - NDJSON: a frame ends at '\n'; one '\r' before it is stripped; empty lines are skipped. A line
 *    longer than max_frame_size is skipped as it arrives (never buffered) and reported with its
 *    size (excluding "\r\n") when it ends.
 *  - Content-Length: header lines "Name: value\r\n" (names case-insensitive, others ignored), then
 *    "\r\n", then exactly Content-Length bytes. Empty lines before a header block are skipped. A
 *    declared length above max_frame_size is reported at once and its body skipped. A malformed
 *    header block is reported and the framer skips lines until one that starts with
 *    "Content-Length:" (case-insensitive). A header block is at most GMCP_FRAMING_MAX_HEADER_BYTES.
 * A push writes events to the caller's array; when it fills up, push stops after the last event and
 * reports how much of the chunk it consumed: push the rest again. FRAME events point into the chunk
 * just pushed; a SPILL_FRAME (at most one per push, the frame that began in an earlier chunk) lies in
 * the framer's spill area, copied out with gmcp_framer_read_spill before the next push or end.
 */
typedef struct gmcp_framer gmcp_framer;

#define GMCP_FRAMING_NDJSON 1
#define GMCP_FRAMING_CONTENT_LENGTH 2

#define GMCP_FRAMING_MAX_HEADER_BYTES 8192
#define GMCP_FRAMING_MAX_FRAME_SIZE ((size_t)1 << 30)

#define GMCP_FRAME_EVENT_FRAME 1       /* a = offset in the chunk, b = length */
#define GMCP_FRAME_EVENT_SPILL_FRAME 2 /* b = length of the frame in the spill area */
#define GMCP_FRAME_EVENT_OVERSIZE 3    /* a = size of the frame (declared, or counted), b = the limit */
#define GMCP_FRAME_EVENT_MALFORMED 4   /* a = a GMCP_FRAME_MALFORMED_* reason */

#define GMCP_FRAME_MALFORMED_TRUNCATED 1               /* end of stream inside a frame */
#define GMCP_FRAME_MALFORMED_INVALID_HEADER_LINE 2     /* not "token: value\r\n" */
#define GMCP_FRAME_MALFORMED_INVALID_CONTENT_LENGTH 3  /* not decimal digits, or above 2^53 - 1 */
#define GMCP_FRAME_MALFORMED_DUPLICATE_CONTENT_LENGTH 4
#define GMCP_FRAME_MALFORMED_MISSING_CONTENT_LENGTH 5
#define GMCP_FRAME_MALFORMED_HEADER_TOO_LONG 6

/** One framing event. */
typedef struct gmcp_frame_event {
  uint32_t type; /* GMCP_FRAME_EVENT_* */
  uint32_t reserved;
  uint64_t a;
  uint64_t b;
} gmcp_frame_event;

/** What one push or end did. */
typedef struct gmcp_framer_result {
  uint64_t consumed;     /* bytes of the chunk consumed (the whole chunk unless the event array filled up) */
  uint64_t event_count;  /* events written */
  uint64_t spill_length; /* bytes in the spill area (the length of the SPILL_FRAME, 0 if none) */
} gmcp_framer_result;

/** Creates a framer of `kind` (GMCP_FRAMING_*) with max_frame_size in 1..GMCP_FRAMING_MAX_FRAME_SIZE. */
GMCP_API gmcp_status gmcp_framer_new(int32_t kind, size_t max_frame_size, gmcp_framer **out_framer);
/** Frees a framer. Accepts NULL. */
GMCP_API void gmcp_framer_free(gmcp_framer *framer);
/** Frames the next chunk (capacity >= 1 events). */
GMCP_API gmcp_status gmcp_framer_push(gmcp_framer *framer, const uint8_t *chunk, size_t length,
                                      gmcp_frame_event *events, size_t capacity, gmcp_framer_result *out_result);
/** Copies the spill area (length must equal the last result's spill_length) to dst. */
GMCP_API gmcp_status gmcp_framer_read_spill(const gmcp_framer *framer, uint8_t *dst, size_t length);
/**
 * Ends the stream (capacity >= 2 events): reports an unfinished frame (OVERSIZE if it was already
 * too long, then MALFORMED TRUNCATED) and resets the framer for a new stream.
 */
GMCP_API gmcp_status gmcp_framer_end(gmcp_framer *framer, gmcp_frame_event *events, size_t capacity,
                                     gmcp_framer_result *out_result);
/* SECTION framing (end)                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION envelope: JSON-RPC envelope scanner and validator (begin)                                */

/*
 * gmcp_envelope_scan validates one JSON-RPC message (RFC 8259 JSON, strict UTF-8) without building
 * a document and writes GMCP_ENVELOPE_SLOTS int32 values to `out`:
 *
 *   out[0] status        GMCP_ENVELOPE_STATUS_*
 *   out[1] kind          GMCP_ENVELOPE_KIND_* (NONE unless status is OK)
 *   out[2] error offset  byte offset of the failure (-1 when status is OK)
 *   out[3] reason        GMCP_ENVELOPE_REASON_* (NONE when status is OK)
 *   out[4] batch count   elements of a top-level array (0 unless kind is BATCH)
 *   out[5] id type       GMCP_ENVELOPE_TOKEN_* of the id (STRING, NUMBER or NULL; NONE when absent)
 *   out[6 + 3*f + 0]     field f (GMCP_ENVELOPE_FIELD_*): start byte offset of its raw JSON token
 *   out[6 + 3*f + 1]     field f: end byte offset (exclusive); a string token includes its quotes
 *   out[6 + 3*f + 2]     field f: token type | GMCP_ENVELOPE_FLAG_* bits; 0 when absent
 *   An absent field is (-1, -1, 0). On INVALID_ENVELOPE only the id field (and out[5]) may be set:
 *   when the top-level object has exactly one "id" of a valid type, so an error response can carry it.
 *
 * The call returns GMCP_OK whenever it could scan (the verdict is in out[0]), and
 * GMCP_E_INVALID_ARGUMENT for NULL `out`, `out_slots` < GMCP_ENVELOPE_SLOTS, NULL `bytes` with a
 * non-zero length, `max_depth` outside 1..GMCP_ENVELOPE_MAX_DEPTH or `max_size` above INT32_MAX.
 * Nothing is allocated and no pointer is kept. The semantics (which envelope is valid, every reason,
 * every offset) are those of the TypeScript twin, held equal by the shared conformance vectors.
 */
#define GMCP_ENVELOPE_SLOTS 42
#define GMCP_ENVELOPE_HEADER_SLOTS 6
#define GMCP_ENVELOPE_FIELD_STRIDE 3
#define GMCP_ENVELOPE_MAX_DEPTH 65535
#define GMCP_ENVELOPE_DEFAULT_MAX_DEPTH 64
#define GMCP_ENVELOPE_DEFAULT_MAX_SIZE 4194304

#define GMCP_ENVELOPE_STATUS_OK 0
#define GMCP_ENVELOPE_STATUS_PARSE_ERROR 1      /* malformed JSON or UTF-8: JSON-RPC -32700 */
#define GMCP_ENVELOPE_STATUS_INVALID_ENVELOPE 2 /* well-formed, not a valid envelope: -32600 */
#define GMCP_ENVELOPE_STATUS_SIZE_LIMIT 3       /* longer than max_size (offset = max_size) */
#define GMCP_ENVELOPE_STATUS_DEPTH_LIMIT 4      /* nesting over max_depth (offset = the bracket) */

#define GMCP_ENVELOPE_KIND_NONE 0
#define GMCP_ENVELOPE_KIND_REQUEST 1
#define GMCP_ENVELOPE_KIND_NOTIFICATION 2
#define GMCP_ENVELOPE_KIND_RESULT 3
#define GMCP_ENVELOPE_KIND_ERROR 4
#define GMCP_ENVELOPE_KIND_BATCH 5

#define GMCP_ENVELOPE_FIELD_ID 0
#define GMCP_ENVELOPE_FIELD_METHOD 1
#define GMCP_ENVELOPE_FIELD_PARAMS 2
#define GMCP_ENVELOPE_FIELD_RESULT 3
#define GMCP_ENVELOPE_FIELD_ERROR 4
#define GMCP_ENVELOPE_FIELD_TOOL_NAME 5      /* params.name when method is "tools/call" */
#define GMCP_ENVELOPE_FIELD_RESOURCE_URI 6   /* params.uri for resources/read, subscribe, unsubscribe */
#define GMCP_ENVELOPE_FIELD_PROMPT_NAME 7    /* params.name when method is "prompts/get" */
#define GMCP_ENVELOPE_FIELD_META 8           /* params._meta */
#define GMCP_ENVELOPE_FIELD_PROGRESS_TOKEN 9 /* params._meta.progressToken */
#define GMCP_ENVELOPE_FIELD_TRACEPARENT 10   /* params._meta.traceparent */
#define GMCP_ENVELOPE_FIELD_TRACESTATE 11    /* params._meta.tracestate */
#define GMCP_ENVELOPE_FIELD_COUNT 12

#define GMCP_ENVELOPE_TOKEN_NONE 0
#define GMCP_ENVELOPE_TOKEN_STRING 1
#define GMCP_ENVELOPE_TOKEN_NUMBER 2
#define GMCP_ENVELOPE_TOKEN_OBJECT 3
#define GMCP_ENVELOPE_TOKEN_ARRAY 4
#define GMCP_ENVELOPE_TOKEN_TRUE 5
#define GMCP_ENVELOPE_TOKEN_FALSE 6
#define GMCP_ENVELOPE_TOKEN_NULL 7
#define GMCP_ENVELOPE_TOKEN_TYPE_MASK 0x0F
#define GMCP_ENVELOPE_FLAG_ESCAPES 0x10 /* a string token containing at least one backslash escape */
#define GMCP_ENVELOPE_FLAG_INTEGER 0x20 /* a number token without fraction or exponent */

#define GMCP_ENVELOPE_REASON_NONE 0
/* status PARSE_ERROR */
#define GMCP_ENVELOPE_REASON_UNEXPECTED_END 1    /* input ends inside the value (offset = length) */
#define GMCP_ENVELOPE_REASON_UNEXPECTED_BYTE 2   /* a byte that no value, key or separator starts with */
#define GMCP_ENVELOPE_REASON_INVALID_LITERAL 3   /* a byte off true / false / null */
#define GMCP_ENVELOPE_REASON_INVALID_NUMBER 4    /* a byte off the number grammar (leading zero, "1.", "-x") */
#define GMCP_ENVELOPE_REASON_INVALID_ESCAPE 5    /* offset = the backslash */
#define GMCP_ENVELOPE_REASON_LONE_SURROGATE 6    /* a \u escape of an unpaired surrogate; offset = its backslash */
#define GMCP_ENVELOPE_REASON_CONTROL_CHARACTER 7 /* an unescaped byte below 0x20 inside a string */
#define GMCP_ENVELOPE_REASON_INVALID_UTF8 8      /* offset = the first byte of the bad sequence */
#define GMCP_ENVELOPE_REASON_TRAILING_DATA 9     /* something other than whitespace after the value */
/* status INVALID_ENVELOPE */
#define GMCP_ENVELOPE_REASON_NOT_AN_OBJECT 16
#define GMCP_ENVELOPE_REASON_EMPTY_BATCH 17
#define GMCP_ENVELOPE_REASON_DUPLICATE_KEY 18
#define GMCP_ENVELOPE_REASON_JSONRPC_MISSING 19
#define GMCP_ENVELOPE_REASON_JSONRPC_INVALID 20
#define GMCP_ENVELOPE_REASON_ID_WRONG_TYPE 21
#define GMCP_ENVELOPE_REASON_ID_NOT_INTEGER 22
#define GMCP_ENVELOPE_REASON_ID_NULL_NOT_ALLOWED 23
#define GMCP_ENVELOPE_REASON_ID_MISSING 24
#define GMCP_ENVELOPE_REASON_METHOD_NOT_STRING 25
#define GMCP_ENVELOPE_REASON_METHOD_WITH_RESULT 26
#define GMCP_ENVELOPE_REASON_RESULT_AND_ERROR 27
#define GMCP_ENVELOPE_REASON_NO_METHOD_RESULT_OR_ERROR 28
#define GMCP_ENVELOPE_REASON_PARAMS_NOT_STRUCTURED 29
#define GMCP_ENVELOPE_REASON_PARAMS_WITHOUT_METHOD 30
#define GMCP_ENVELOPE_REASON_ERROR_NOT_OBJECT 31
#define GMCP_ENVELOPE_REASON_META_NOT_OBJECT 32
#define GMCP_ENVELOPE_REASON_PROGRESS_TOKEN_WRONG_TYPE 33
#define GMCP_ENVELOPE_REASON_TRACE_CONTEXT_NOT_STRING 34
#define GMCP_ENVELOPE_REASON_NAME_NOT_STRING 35
#define GMCP_ENVELOPE_REASON_URI_NOT_STRING 36
/* status SIZE_LIMIT / DEPTH_LIMIT */
#define GMCP_ENVELOPE_REASON_SIZE_LIMIT 48
#define GMCP_ENVELOPE_REASON_DEPTH_LIMIT 49

/** Scans `length` bytes at `bytes` (one message) and writes the verdict to `out` (layout above). */
GMCP_API gmcp_status gmcp_envelope_scan(const uint8_t *bytes, size_t length, uint32_t max_depth,
                                        uint32_t max_size, int32_t *out, size_t out_slots);

/* SECTION envelope (end)                                                                           */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION ratelimit: keyed rate-limit tables (begin)                                               */
/*
 * A table holds one rate-limit state per key, for ONE algorithm, in bounded memory. Semantics
 * (shared bit for bit with the TypeScript twin; see packages/core/src/engine/ratelimit/README.md):
 *  - a key is identified by the 64-bit HalfSipHash-1-3 of its bytes under the table's 8-byte hash
 *    key (keys whose hashes are equal share one state; with a secret hash key this cannot be forced);
 *  - the clock is a number of milliseconds passed to every call (never read inside); it is floored
 *    to an integer and never goes back: t = max(floor(now_ms), latest t seen by a TAKE/REFUND/prune);
 *  - cost is an integer in [0, 2^32-1]; a cost above the limit is always denied with
 *    retry_after_ms = -1 ("never");
 *  - at most max_keys keys: a TAKE of a new key into a full table evicts the least recently used
 *    key; keys untouched for idle_timeout_ms are evicted lazily (up to 4 per TAKE, or by prune).
 */
typedef struct gmcp_ratelimit_table gmcp_ratelimit_table;

#define GMCP_RATELIMIT_TOKEN_BUCKET 1   /* limit = capacity, rate = refill tokens per second */
#define GMCP_RATELIMIT_SLIDING_WINDOW 2 /* limit per window_ms, sliding-window-counter estimate */
#define GMCP_RATELIMIT_FIXED_WINDOW 3   /* limit per window_ms, windows aligned to multiples of it */
#define GMCP_RATELIMIT_LEAKY_BUCKET 4   /* limit = capacity, rate = leak per second (meter) */

#define GMCP_RATELIMIT_CHECK 0  /* the decision a TAKE would make, changing nothing */
#define GMCP_RATELIMIT_TAKE 1   /* decide and charge when allowed (creates the key) */
#define GMCP_RATELIMIT_REFUND 2 /* give cost back to an existing key (no-op when absent or idle) */

/** Capacity of the key area of gmcp_ratelimit_io; longer keys go through gmcp_ratelimit_decide. */
#define GMCP_RATELIMIT_IO_KEY_CAPACITY 200

/**
 * The per-table mailbox of gmcp_ratelimit_decide_io: the caller writes mode, now_ms, cost, the key
 * bytes and key_length, calls gmcp_ratelimit_decide_io(table), and reads the three outputs. All
 * numbers are doubles so a Float64Array can view the head. Owned by the table (valid until
 * gmcp_ratelimit_free); one caller thread at a time.
 */
typedef struct gmcp_ratelimit_io {
  double mode;           /* in: GMCP_RATELIMIT_CHECK / TAKE / REFUND */
  double now_ms;         /* in */
  double cost;           /* in */
  double key_length;     /* in: bytes used in key[] (0..GMCP_RATELIMIT_IO_KEY_CAPACITY) */
  double allowed;        /* out: 1 allowed, 0 denied */
  double remaining;      /* out: whole units left after this decision */
  double retry_after_ms; /* out: 0 when allowed, -1 when never (cost above the limit), else >= 1 */
  double reserved;
  uint8_t key[GMCP_RATELIMIT_IO_KEY_CAPACITY];
} gmcp_ratelimit_io;

/**
 * Creates a table. limit: integer in [1, 2^32-1]; rate_per_second: buckets only, in [1e-9, 1e12]
 * (ignored by windows); window_ms: windows only, integer in [1, 2^40] with limit * window_ms <= 2^52
 * (ignored by buckets); max_keys: integer in [1, 2^28]; idle_timeout_ms: integer >= 0, 0 disables
 * idle eviction, a negative value selects the algorithm's default (the time after which a key's
 * state equals a new key's); hash_key: 8 bytes.
 */
GMCP_API gmcp_status gmcp_ratelimit_create(uint32_t algorithm, double limit, double rate_per_second,
                                           double window_ms, double max_keys, double idle_timeout_ms,
                                           const uint8_t *hash_key, gmcp_ratelimit_table **out_table);

/** Frees a table (NULL is accepted). */
GMCP_API void gmcp_ratelimit_free(gmcp_ratelimit_table *table);

/**
 * One decision for the key_length bytes at key (NULL allowed when key_length is 0). out_decision
 * receives {allowed (1/0), remaining, retry_after_ms}; it may be NULL for REFUND.
 */
GMCP_API gmcp_status gmcp_ratelimit_decide(gmcp_ratelimit_table *table, uint32_t mode, const uint8_t *key,
                                           size_t key_length, double now_ms, double cost,
                                           double *out_decision);

/** The table's mailbox (see gmcp_ratelimit_io). */
GMCP_API gmcp_status gmcp_ratelimit_io_block(gmcp_ratelimit_table *table, gmcp_ratelimit_io **out_io);

/** gmcp_ratelimit_decide with its inputs and outputs in the table's mailbox. */
GMCP_API gmcp_status gmcp_ratelimit_decide_io(gmcp_ratelimit_table *table);

/**
 * gmcp_ratelimit_decide_io with the key given as a NUL-terminated UTF-8 string (what koffi makes of
 * a JS string) instead of the mailbox's key area; io.key_length must hold the key's length in UTF-16
 * code units. When the bytes before the NUL do not account for that many code units (the key holds
 * U+0000), nothing is decided and io.allowed is set to -1: pass the key's bytes to
 * gmcp_ratelimit_decide instead.
 */
GMCP_API gmcp_status gmcp_ratelimit_decide_io_string(gmcp_ratelimit_table *table, const char *key);

/** Forgets one key; *out_removed (may be NULL) is 1 when it was present. */
GMCP_API gmcp_status gmcp_ratelimit_reset_key(gmcp_ratelimit_table *table, const uint8_t *key,
                                              size_t key_length, int32_t *out_removed);

/** Forgets every key and releases the key storage (statistics and the clock are kept). */
GMCP_API gmcp_status gmcp_ratelimit_clear(gmcp_ratelimit_table *table);

/** Advances the clock to now_ms and evicts every idle key; *out_evicted (may be NULL) counts them. */
GMCP_API gmcp_status gmcp_ratelimit_prune(gmcp_ratelimit_table *table, double now_ms, double *out_evicted);

/**
 * Statistics, out_stats[7] = {keys, evictions (LRU, table full), expired (idle), allowed, denied,
 * memory_bytes (the table's own allocations), idle_timeout_ms (effective)}.
 */
GMCP_API gmcp_status gmcp_ratelimit_stats(const gmcp_ratelimit_table *table, double *out_stats);

/** The 64-bit identity of a key: HalfSipHash-1-3 of key under hash_key (8 bytes); out_hash[2] = {low, high}. */
GMCP_API gmcp_status gmcp_ratelimit_hash_key(const uint8_t *hash_key, const uint8_t *key, size_t key_length,
                                             uint32_t *out_hash);
/* SECTION ratelimit (end)                                                                          */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION metrics: histograms and counters (begin)                                                 */
/*
 * Histograms (semantics shared bit for bit with the TypeScript twin; see
 * packages/core/src/engine/metrics/README.md): values are finite numbers >= 0 (-0 counts as 0).
 *  - log-linear buckets: p = {4, 7, 10, 14, 17} sub-bucket bits for 1..5 significant digits; bucket
 *    0 holds [0, 2^E0) with E0 = floor(log2(lowest)), then 2^p equal buckets per power of two up
 *    to 2^(E1+1) with E1 = floor(log2(highest)), then one bucket [2^(E1+1), +inf);
 *  - explicit bounds (Prometheus `le`): counted exactly, a value v lands in the first bound >= v;
 *  - count, sum (added in record order), min and max are exact; quantile(q) is the midpoint of the
 *    bucket of the max(1, ceil(q * count))-th value, clamped to [min, max]; quantile(0) = min,
 *    quantile(1) = max; an empty histogram reports 0 for all of them.
 */
typedef struct gmcp_histogram gmcp_histogram;

/** The most explicit bounds a histogram takes. */
#define GMCP_HISTOGRAM_MAX_BOUNDS 1024

/**
 * Creates a histogram. significant_digits: 1..5; lowest and highest: finite, 2^-1000 <= lowest <=
 * highest <= 2^1000, at most 2^24 buckets in all; bounds: bound_count (0..GMCP_HISTOGRAM_MAX_BOUNDS)
 * finite, strictly increasing numbers (NULL when bound_count is 0).
 */
GMCP_API gmcp_status gmcp_histogram_create(uint32_t significant_digits, double lowest, double highest,
                                           const double *bounds, size_t bound_count,
                                           gmcp_histogram **out_histogram);

/** Frees a histogram (NULL is accepted). */
GMCP_API void gmcp_histogram_free(gmcp_histogram *histogram);

/** Records one value (INVALID_ARGUMENT for NaN, an infinity or a negative value). */
GMCP_API gmcp_status gmcp_histogram_record(gmcp_histogram *histogram, double value);

/** Records count values in order; when one is invalid, none is recorded (INVALID_ARGUMENT). */
GMCP_API gmcp_status gmcp_histogram_record_many(gmcp_histogram *histogram, const double *values, size_t count);

/** out_summary[5] = {count, sum, min, max, non-empty log-linear buckets}. */
GMCP_API gmcp_status gmcp_histogram_summary(const gmcp_histogram *histogram, double *out_summary);

/** The value at quantile q (0 <= q <= 1). */
GMCP_API gmcp_status gmcp_histogram_quantile(const gmcp_histogram *histogram, double q, double *out_value);

/**
 * The non-empty log-linear buckets in increasing order as {lower, upper, count} triples (upper is
 * +inf for the last bucket); capacity counts doubles. LIMIT when they do not fit.
 */
GMCP_API gmcp_status gmcp_histogram_buckets(const gmcp_histogram *histogram, double *out_triples, size_t capacity);

/** The cumulative counts at the explicit bounds (count <= bound i), bound_count doubles. */
GMCP_API gmcp_status gmcp_histogram_bound_counts(const gmcp_histogram *histogram, double *out_counts,
                                                 size_t capacity);

/** Adds other's observations (same significant digits, range and bounds, else INVALID_ARGUMENT). */
GMCP_API gmcp_status gmcp_histogram_merge(gmcp_histogram *histogram, const gmcp_histogram *other);

/** Forgets every observation. */
GMCP_API gmcp_status gmcp_histogram_reset(gmcp_histogram *histogram);

/** A fixed number of double counters addressed by index (exact for integer sums up to 2^53). */
typedef struct gmcp_counter_set gmcp_counter_set;

/** Creates count (1..2^20) counters at 0. */
GMCP_API gmcp_status gmcp_counters_create(size_t count, gmcp_counter_set **out_set);

/** Frees a counter set (NULL is accepted). */
GMCP_API void gmcp_counters_free(gmcp_counter_set *set);

/** Adds amount (finite, >= 0) to counter index. */
GMCP_API gmcp_status gmcp_counters_add(gmcp_counter_set *set, size_t index, double amount);

/** Reads counter index. */
GMCP_API gmcp_status gmcp_counters_get(const gmcp_counter_set *set, size_t index, double *out_value);

/**
 * The live array of the counters (count doubles, valid until gmcp_counters_free): callers may read
 * it and add to it in place, one thread at a time.
 */
GMCP_API gmcp_status gmcp_counters_values(gmcp_counter_set *set, double **out_values);

/** Copies the counters to out_values (capacity doubles, at least the set's count). */
GMCP_API gmcp_status gmcp_counters_snapshot(const gmcp_counter_set *set, double *out_values, size_t capacity);

/** Sets every counter to 0. */
GMCP_API gmcp_status gmcp_counters_reset(gmcp_counter_set *set);
/* SECTION metrics (end)                                                                            */
/* ------------------------------------------------------------------------------------------------ */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GOPHER_MCP_C_H */
