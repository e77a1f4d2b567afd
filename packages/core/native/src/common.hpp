// Shared internals of libgopher_mcp_c: the thread-local last error and the guard that keeps C++
// exceptions from crossing the C ABI.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "gopher_mcp_c.h"

namespace gmcp {

/** Records `message` as the calling thread's last error and returns `status`. */
gmcp_status fail(gmcp_status status, const char *message) noexcept;

/**
 * Runs `body` (which returns a gmcp_status) and turns any escaping exception into a status:
 * std::bad_alloc becomes GMCP_E_OUT_OF_MEMORY, anything else GMCP_E_INTERNAL.
 */
template <typename Body>
gmcp_status guarded(Body &&body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return fail(GMCP_E_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &error) {
    return fail(GMCP_E_INTERNAL, error.what());
  } catch (...) {
    return fail(GMCP_E_INTERNAL, "unknown internal error");
  }
}

}  // namespace gmcp
