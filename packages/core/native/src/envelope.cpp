// C ABI of the JSON-RPC envelope scanner (SECTION envelope of gopher_mcp_c.h).
#include <cstdint>

#include "common.hpp"
#include "envelope_scanner.hpp"
#include "gopher_mcp_c.h"

extern "C" {

gmcp_status gmcp_envelope_scan(const uint8_t *bytes, size_t length, uint32_t max_depth, uint32_t max_size,
                               int32_t *out, size_t out_slots) {
  if (out == nullptr) return gmcp::fail(GMCP_E_INVALID_ARGUMENT, "gmcp_envelope_scan: out is NULL");
  if (out_slots < GMCP_ENVELOPE_SLOTS) {
    return gmcp::fail(GMCP_E_INVALID_ARGUMENT, "gmcp_envelope_scan: out has fewer than GMCP_ENVELOPE_SLOTS slots");
  }
  if (bytes == nullptr && length != 0) {
    return gmcp::fail(GMCP_E_INVALID_ARGUMENT, "gmcp_envelope_scan: bytes is NULL with a non-zero length");
  }
  if (max_depth < 1 || max_depth > GMCP_ENVELOPE_MAX_DEPTH) {
    return gmcp::fail(GMCP_E_INVALID_ARGUMENT, "gmcp_envelope_scan: max_depth must be in 1..65535");
  }
  if (max_size > static_cast<uint32_t>(INT32_MAX)) {
    return gmcp::fail(GMCP_E_INVALID_ARGUMENT, "gmcp_envelope_scan: max_size must be at most 2147483647");
  }
  gmcp::envelope::scan(bytes, length, max_depth, max_size, out);
  return GMCP_OK;
}

}  // extern "C"
