// The slab pool behind gmcp_buffer_pool: fixed-size slabs allocated lazily up to a maximum, cached
// for reuse once released, and freed only when the pool dies (with its last reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "gopher_mcp_c.h"

namespace gmcp::buffers {

/** One slab: its memory, its stable index, the slices and reservations using it, and its fill mark. */
struct Slab {
  std::unique_ptr<uint8_t[]> data;
  uint32_t index = 0;
  /** Slices (of any buffer) and reservations that use this slab. */
  uint32_t refs = 0;
  /** Bytes below this mark were handed out and are never written again. */
  size_t fill = 0;
};

/** A pool of slabs, reference-counted by its owner handle and by every live buffer. */
class Pool {
 public:
  Pool(size_t slab_size, size_t max_slabs);

  size_t slab_size() const noexcept { return slab_size_; }

  /** Whether `count` more slabs can be acquired now (free cached ones plus unallocated ones). */
  bool can_acquire(size_t count) const noexcept;
  /** Takes a slab (refs = 1, fill = 0), or nullptr when the pool is exhausted (counted as failed). */
  Slab *acquire() noexcept;
  /** Counts a refused operation (one that checked can_acquire first). */
  void count_failure() noexcept { ++failed_acquires_; }
  /** Drops one reference; a slab nobody uses returns to the free cache. */
  void unref(Slab *slab) noexcept;

  void stats(gmcp_buffer_pool_stats *out) const noexcept;

  void retain() noexcept { ++refs_; }
  /** Drops one reference and deletes the pool when it was the last. */
  void release() noexcept;

 private:
  /** Allocates one more slab, or nullptr when memory runs out. */
  Slab *allocate() noexcept;

  size_t slab_size_;
  size_t max_slabs_;
  std::vector<std::unique_ptr<Slab>> slabs_;
  std::vector<Slab *> free_;
  size_t refs_ = 1;
  uint64_t in_use_ = 0;
  uint64_t high_water_ = 0;
  uint64_t acquires_ = 0;
  uint64_t releases_ = 0;
  uint64_t failed_acquires_ = 0;
};

}  // namespace gmcp::buffers

/** The opaque C handle of a pool: the pool itself. */
struct gmcp_buffer_pool : gmcp::buffers::Pool {
  using Pool::Pool;
};
