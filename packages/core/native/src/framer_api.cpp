// The C ABI of the framing section: argument checks and exception guards around the framers.
#include <cstring>
#include <memory>

#include "common.hpp"
#include "framer.hpp"

using gmcp::fail;
using gmcp::guarded;

namespace {

gmcp_status write_result(gmcp_framer_result *out, size_t consumed, size_t events, size_t spill) {
  out->consumed = consumed;
  out->event_count = events;
  out->spill_length = spill;
  return GMCP_OK;
}

}  // namespace

extern "C" {

gmcp_status gmcp_framer_new(int32_t kind, size_t max_frame_size, gmcp_framer **out_framer) {
  if (out_framer == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "out_framer is NULL");
  *out_framer = nullptr;
  if (max_frame_size == 0 || max_frame_size > GMCP_FRAMING_MAX_FRAME_SIZE) {
    return fail(GMCP_E_INVALID_ARGUMENT, "max_frame_size must be 1..2^30");
  }
  if (kind != GMCP_FRAMING_NDJSON && kind != GMCP_FRAMING_CONTENT_LENGTH) {
    return fail(GMCP_E_INVALID_ARGUMENT, "unknown framing kind");
  }
  return guarded([&] {
    auto handle = std::make_unique<gmcp_framer>();
    if (kind == GMCP_FRAMING_NDJSON) {
      handle->framer = std::make_unique<gmcp::framing::NdjsonFramer>(max_frame_size);
    } else {
      handle->framer = std::make_unique<gmcp::framing::ContentLengthFramer>(max_frame_size);
    }
    *out_framer = handle.release();
    return GMCP_OK;
  });
}

void gmcp_framer_free(gmcp_framer *framer) { delete framer; }

gmcp_status gmcp_framer_push(gmcp_framer *framer, const uint8_t *chunk, size_t length, gmcp_frame_event *events,
                             size_t capacity, gmcp_framer_result *out_result) {
  if (framer == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "framer is NULL");
  if (chunk == nullptr && length > 0) return fail(GMCP_E_INVALID_ARGUMENT, "chunk is NULL");
  if (events == nullptr || capacity == 0) return fail(GMCP_E_INVALID_ARGUMENT, "no room for events");
  if (out_result == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "out_result is NULL");
  return guarded([&] {
    gmcp::framing::EventOutput out(events, capacity);
    const size_t consumed = framer->framer->push(chunk, length, out);
    return write_result(out_result, consumed, out.count(), framer->framer->spill().size());
  });
}

gmcp_status gmcp_framer_read_spill(const gmcp_framer *framer, uint8_t *dst, size_t length) {
  if (framer == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "framer is NULL");
  const auto &spill = framer->framer->spill();
  if (length != spill.size()) return fail(GMCP_E_INVALID_ARGUMENT, "length is not the spill length");
  if (length == 0) return GMCP_OK;
  if (dst == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "dst is NULL");
  std::memcpy(dst, spill.data(), length);
  return GMCP_OK;
}

gmcp_status gmcp_framer_end(gmcp_framer *framer, gmcp_frame_event *events, size_t capacity,
                            gmcp_framer_result *out_result) {
  if (framer == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "framer is NULL");
  if (events == nullptr || capacity < 2) return fail(GMCP_E_INVALID_ARGUMENT, "room for 2 events is needed");
  if (out_result == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "out_result is NULL");
  return guarded([&] {
    gmcp::framing::EventOutput out(events, capacity);
    framer->framer->end(out);
    return write_result(out_result, 0, out.count(), 0);
  });
}

}  // extern "C"
