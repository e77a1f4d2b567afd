// The JSON-RPC envelope scanner behind gmcp_envelope_scan: one pass over the bytes, no document,
// no allocation, no recursion proportional to the nesting depth.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gmcp {
namespace envelope {

/**
 * Scans one message and writes GMCP_ENVELOPE_SLOTS values to `out` (layout in gopher_mcp_c.h).
 * The arguments are already validated: `bytes` is readable for `length` bytes (or length is 0),
 * `max_depth` is in 1..GMCP_ENVELOPE_MAX_DEPTH, `max_size` is at most INT32_MAX.
 */
void scan(const uint8_t *bytes, size_t length, uint32_t max_depth, uint32_t max_size, int32_t *out) noexcept;

}  // namespace envelope
}  // namespace gmcp
