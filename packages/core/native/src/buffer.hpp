// A buffer: reference-counted slices over the slabs of a pool, with reserve / commit, linearize,
// search across slices, zero-copy slicing and watermarks. See the buffers section of gopher_mcp_c.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "buffer_pool.hpp"
#include "buffer_slices.hpp"
#include "gopher_mcp_c.h"

namespace gmcp::buffers {

class Buffer {
 public:
  /** Takes a reference on the pool for the buffer's lifetime. */
  explicit Buffer(Pool *pool) noexcept;
  ~Buffer();
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  uint64_t length() const noexcept { return length_; }

  gmcp_status add(const uint8_t *data, size_t length, int32_t *watermark);
  gmcp_status reserve(size_t size, gmcp_buffer_region *region);
  gmcp_status commit(size_t length, int32_t *watermark);
  gmcp_status drain(size_t length, int32_t *watermark);
  gmcp_status copy_out(size_t offset, size_t length, uint8_t *dst) const noexcept;
  gmcp_status linearize(size_t length, gmcp_buffer_region *region);
  int64_t search(const uint8_t *needle, size_t needle_length, size_t start) const noexcept;
  /** A new buffer sharing the slabs of [offset, offset + length); the range must be valid. */
  gmcp_buffer *slice(size_t offset, size_t length);
  gmcp_status set_watermarks(size_t low, size_t high, int32_t *watermark) noexcept;
  void watermarks(gmcp_buffer_watermark_state *state) const noexcept;

 private:
  /** Writable bytes left after the last slice in its slab (0 when another slice owns that end). */
  size_t tail_room() const noexcept;
  void cancel_reservation() noexcept;
  /** Removes `length` bytes from the front (length <= length_), releasing slabs; no watermark. */
  void drop_front(size_t length) noexcept;
  bool matches_at(size_t slice_index, size_t position, const uint8_t *needle, size_t needle_length) const noexcept;
  /** Re-evaluates the watermarks after a change: a GMCP_WATERMARK_* value. */
  int32_t evaluate_watermarks() noexcept;
  static void report(int32_t *out, int32_t value) noexcept {
    if (out != nullptr) *out = value;
  }

  struct Reservation {
    Slab *slab = nullptr;
    size_t offset = 0;
    size_t size = 0;
  };

  Pool *pool_;
  SliceList slices_;
  uint64_t length_ = 0;
  Reservation reservation_;
  uint64_t low_ = 0;
  uint64_t high_ = 0;
  bool above_high_ = false;
};

}  // namespace gmcp::buffers

/** The opaque C handle of a buffer: the buffer itself. */
struct gmcp_buffer : gmcp::buffers::Buffer {
  using Buffer::Buffer;
};
