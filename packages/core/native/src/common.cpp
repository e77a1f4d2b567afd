#include "common.hpp"

namespace gmcp {
namespace {
thread_local std::string last_error;
}

gmcp_status fail(gmcp_status status, const char *message) noexcept {
  try {
    last_error.assign(message == nullptr ? "" : message);
  } catch (...) {
    // Keep the previous message rather than let an allocation failure escape.
  }
  return status;
}

}  // namespace gmcp

extern "C" {

uint32_t gmcp_abi_version(void) { return GMCP_ABI_VERSION; }

const char *gmcp_library_version(void) { return "0.1.0"; }

const char *gmcp_last_error(void) { return gmcp::last_error.c_str(); }
}
