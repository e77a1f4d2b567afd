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
/* SECTION buffers (end)                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION framing: newline-delimited JSON and Content-Length framers (begin)                       */
/* SECTION framing (end)                                                                            */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION envelope: JSON-RPC envelope scanner and validator (begin)                                */
/* SECTION envelope (end)                                                                           */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION ratelimit: keyed rate-limit tables (begin)                                               */
/* SECTION ratelimit (end)                                                                          */
/* ------------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------------ */
/* SECTION metrics: histograms and counters (begin)                                                 */
/* SECTION metrics (end)                                                                            */
/* ------------------------------------------------------------------------------------------------ */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GOPHER_MCP_C_H */
