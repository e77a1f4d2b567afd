#include "buffer_pool.hpp"

#include <new>

namespace gmcp::buffers {

Pool::Pool(size_t slab_size, size_t max_slabs) : slab_size_(slab_size), max_slabs_(max_slabs) {}

bool Pool::can_acquire(size_t count) const noexcept {
  return count <= free_.size() + (max_slabs_ - slabs_.size());
}

Slab *Pool::acquire() noexcept {
  Slab *slab = nullptr;
  if (!free_.empty()) {
    slab = free_.back();
    free_.pop_back();
  } else if (slabs_.size() < max_slabs_) {
    slab = allocate();
    if (slab == nullptr) {
      ++failed_acquires_;
      return nullptr;
    }
  } else {
    ++failed_acquires_;
    return nullptr;
  }
  slab->refs = 1;
  slab->fill = 0;
  ++acquires_;
  ++in_use_;
  if (in_use_ > high_water_) high_water_ = in_use_;
  return slab;
}

Slab *Pool::allocate() noexcept {
  try {
    auto fresh = std::make_unique<Slab>();
    fresh->data.reset(new uint8_t[slab_size_]);
    fresh->index = static_cast<uint32_t>(slabs_.size());
    slabs_.reserve(slabs_.size() + 1);
    free_.reserve(slabs_.size() + 1);  // room for every slab, so unref never allocates
    Slab *slab = fresh.get();
    slabs_.push_back(std::move(fresh));
    return slab;
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}

void Pool::unref(Slab *slab) noexcept {
  if (--slab->refs != 0) return;
  slab->fill = 0;
  free_.push_back(slab);  // capacity reserved in acquire: cannot throw
  ++releases_;
  --in_use_;
}

void Pool::stats(gmcp_buffer_pool_stats *out) const noexcept {
  out->slab_size = slab_size_;
  out->slabs_max = max_slabs_;
  out->slabs_total = slabs_.size();
  out->slabs_in_use = in_use_;
  out->slabs_free = free_.size();
  out->high_water = high_water_;
  out->acquires = acquires_;
  out->releases = releases_;
  out->failed_acquires = failed_acquires_;
}

void Pool::release() noexcept {
  if (--refs_ == 0) delete static_cast<gmcp_buffer_pool *>(this);
}

}  // namespace gmcp::buffers
