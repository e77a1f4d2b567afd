// The slice list of a buffer: a vector used as a queue (head index), so that room for new slices
// can be reserved before any change and the change itself never allocates or throws.
#pragma once

#include <cstddef>
#include <vector>

#include "buffer_pool.hpp"

namespace gmcp::buffers {

/** Bytes [offset, offset + length) of a slab. */
struct Slice {
  Slab *slab;
  size_t offset;
  size_t length;
};

class SliceList {
 public:
  size_t size() const noexcept { return items_.size() - head_; }
  bool empty() const noexcept { return size() == 0; }
  Slice &operator[](size_t i) noexcept { return items_[head_ + i]; }
  const Slice &operator[](size_t i) const noexcept { return items_[head_ + i]; }
  Slice &front() noexcept { return items_[head_]; }
  Slice &back() noexcept { return items_.back(); }
  const Slice &back() const noexcept { return items_.back(); }

  /** Makes room for `extra` more slices (at either end); may throw std::bad_alloc. */
  void ensure_room(size_t extra) {
    if (items_.size() + extra <= items_.capacity()) return;
    compact();
    if (items_.size() + extra > items_.capacity()) items_.reserve((items_.size() + extra) * 2);
  }
  /** Appends; room must have been ensured. */
  void push_back(const Slice &slice) noexcept { items_.push_back(slice); }
  /** Prepends; room must have been ensured. */
  void push_front(const Slice &slice) noexcept {
    if (head_ > 0) {
      items_[--head_] = slice;
    } else {
      items_.insert(items_.begin(), slice);
    }
  }
  void pop_front() noexcept {
    if (++head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    }
  }

 private:
  void compact() noexcept {
    if (head_ == 0) return;
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }

  std::vector<Slice> items_;
  size_t head_ = 0;
};

}  // namespace gmcp::buffers
