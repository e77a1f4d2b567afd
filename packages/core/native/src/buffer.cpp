#include "buffer.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "common.hpp"

namespace gmcp::buffers {

Buffer::Buffer(Pool *pool) noexcept : pool_(pool) { pool_->retain(); }

Buffer::~Buffer() {
  cancel_reservation();
  while (!slices_.empty()) {
    pool_->unref(slices_.front().slab);
    slices_.pop_front();
  }
  pool_->release();
}

size_t Buffer::tail_room() const noexcept {
  if (slices_.empty()) return 0;
  const Slice &tail = slices_.back();
  if (tail.slab->fill != tail.offset + tail.length) return 0;
  return pool_->slab_size() - tail.slab->fill;
}

void Buffer::cancel_reservation() noexcept {
  if (reservation_.slab == nullptr) return;
  reservation_.slab->fill = reservation_.offset;
  pool_->unref(reservation_.slab);
  reservation_ = Reservation{};
}

int32_t Buffer::evaluate_watermarks() noexcept {
  if (!above_high_ && high_ > 0 && length_ > high_) {
    above_high_ = true;
    return GMCP_WATERMARK_HIGH;
  }
  if (above_high_ && (high_ == 0 || length_ <= low_)) {
    above_high_ = false;
    return GMCP_WATERMARK_LOW;
  }
  return GMCP_WATERMARK_NONE;
}

gmcp_status Buffer::add(const uint8_t *data, size_t length, int32_t *watermark) {
  if (data == nullptr && length > 0) return fail(GMCP_E_INVALID_ARGUMENT, "data is NULL");
  cancel_reservation();
  const size_t slab_size = pool_->slab_size();
  const size_t room = tail_room();
  const size_t overflow = length > room ? length - room : 0;
  const size_t needed = overflow / slab_size + (overflow % slab_size != 0 ? 1 : 0);
  if (!pool_->can_acquire(needed)) {
    pool_->count_failure();
    return fail(GMCP_E_OUT_OF_MEMORY, "the buffer pool is exhausted");
  }
  // Everything that can fail happens before the first byte is written: the buffer stays unchanged.
  slices_.ensure_room(needed);
  Slab *single = nullptr;
  std::unique_ptr<Slab *[]> many;
  Slab **fresh = &single;
  if (needed > 1) {
    many.reset(new Slab *[needed]);
    fresh = many.get();
  }
  for (size_t i = 0; i < needed; ++i) {
    fresh[i] = pool_->acquire();
    if (fresh[i] == nullptr) {
      for (size_t j = 0; j < i; ++j) pool_->unref(fresh[j]);
      return fail(GMCP_E_OUT_OF_MEMORY, "out of memory for a new slab");
    }
  }
  size_t written = std::min(room, length);
  if (written > 0) {
    Slice &tail = slices_.back();
    std::memcpy(tail.slab->data.get() + tail.slab->fill, data, written);
    tail.slab->fill += written;
    tail.length += written;
  }
  for (size_t i = 0; i < needed; ++i) {
    const size_t part = std::min(slab_size, length - written);
    std::memcpy(fresh[i]->data.get(), data + written, part);
    fresh[i]->fill = part;
    slices_.push_back(Slice{fresh[i], 0, part});
    written += part;
  }
  length_ += length;
  report(watermark, evaluate_watermarks());
  return GMCP_OK;
}

gmcp_status Buffer::reserve(size_t size, gmcp_buffer_region *region) {
  if (size == 0) return fail(GMCP_E_INVALID_ARGUMENT, "size is 0");
  if (size > pool_->slab_size()) return fail(GMCP_E_LIMIT, "size is above the slab size");
  cancel_reservation();
  Slab *slab = nullptr;
  size_t offset = 0;
  if (tail_room() >= size) {
    slab = slices_.back().slab;
    offset = slab->fill;
    ++slab->refs;
  } else {
    slab = pool_->acquire();
    if (slab == nullptr) return fail(GMCP_E_OUT_OF_MEMORY, "the buffer pool is exhausted");
  }
  slab->fill = offset + size;
  reservation_ = Reservation{slab, offset, size};
  region->data = slab->data.get() + offset;
  region->slab_index = slab->index;
  region->slab_offset = offset;
  region->length = size;
  return GMCP_OK;
}

gmcp_status Buffer::commit(size_t length, int32_t *watermark) {
  if (reservation_.slab == nullptr) return fail(GMCP_E_STATE, "no pending reservation");
  if (length > reservation_.size) return fail(GMCP_E_INVALID_ARGUMENT, "length is above the reservation");
  slices_.ensure_room(1);
  Slab *slab = reservation_.slab;
  if (length > 0) {
    if (!slices_.empty() && slices_.back().slab == slab &&
        slices_.back().offset + slices_.back().length == reservation_.offset) {
      slices_.back().length += length;
    } else {
      slices_.push_back(Slice{slab, reservation_.offset, length});
      ++slab->refs;
    }
  }
  slab->fill = reservation_.offset + length;
  pool_->unref(slab);
  reservation_ = Reservation{};
  length_ += length;
  report(watermark, evaluate_watermarks());
  return GMCP_OK;
}

void Buffer::drop_front(size_t length) noexcept {
  while (length > 0) {
    Slice &front = slices_.front();
    if (front.length <= length) {
      length -= front.length;
      pool_->unref(front.slab);
      slices_.pop_front();
    } else {
      front.offset += length;
      front.length -= length;
      length = 0;
    }
  }
}

gmcp_status Buffer::drain(size_t length, int32_t *watermark) {
  if (length > length_) return fail(GMCP_E_INVALID_ARGUMENT, "length is above the buffer length");
  cancel_reservation();
  drop_front(length);
  length_ -= length;
  report(watermark, evaluate_watermarks());
  return GMCP_OK;
}

gmcp_status Buffer::copy_out(size_t offset, size_t length, uint8_t *dst) const noexcept {
  if (offset > length_ || length > length_ - offset) {
    return fail(GMCP_E_INVALID_ARGUMENT, "range is outside the buffer");
  }
  if (dst == nullptr && length > 0) return fail(GMCP_E_INVALID_ARGUMENT, "dst is NULL");
  size_t skip = offset;
  for (size_t i = 0; i < slices_.size() && length > 0; ++i) {
    const Slice &slice = slices_[i];
    if (skip >= slice.length) {
      skip -= slice.length;
      continue;
    }
    const size_t part = std::min(slice.length - skip, length);
    std::memcpy(dst, slice.slab->data.get() + slice.offset + skip, part);
    dst += part;
    length -= part;
    skip = 0;
  }
  return GMCP_OK;
}

gmcp_status Buffer::linearize(size_t length, gmcp_buffer_region *region) {
  if (length > length_) return fail(GMCP_E_INVALID_ARGUMENT, "length is above the buffer length");
  if (length == 0) {
    *region = gmcp_buffer_region{nullptr, 0, 0, 0};
    return GMCP_OK;
  }
  if (slices_.front().length < length) {
    if (length > pool_->slab_size()) return fail(GMCP_E_LIMIT, "length is above the slab size");
    slices_.ensure_room(1);
    Slab *slab = pool_->acquire();
    if (slab == nullptr) return fail(GMCP_E_OUT_OF_MEMORY, "the buffer pool is exhausted");
    copy_out(0, length, slab->data.get());
    slab->fill = length;
    drop_front(length);
    slices_.push_front(Slice{slab, 0, length});
  }
  const Slice &front = slices_.front();
  region->data = front.slab->data.get() + front.offset;
  region->slab_index = front.slab->index;
  region->slab_offset = front.offset;
  region->length = length;
  return GMCP_OK;
}

bool Buffer::matches_at(size_t slice_index, size_t position, const uint8_t *needle,
                        size_t needle_length) const noexcept {
  size_t matched = 0;
  for (size_t i = slice_index; i < slices_.size() && matched < needle_length; ++i) {
    const Slice &slice = slices_[i];
    const uint8_t *bytes = slice.slab->data.get() + slice.offset + position;
    const size_t part = std::min(slice.length - position, needle_length - matched);
    if (std::memcmp(bytes, needle + matched, part) != 0) return false;
    matched += part;
    position = 0;
  }
  return matched == needle_length;
}

namespace {

/**
 * First match of needle in bytes[from, length) that fits there, or -1: memchr on the first byte
 * then memcmp (as fast as memchr when the first byte is rare), switching to memmem once false
 * candidates pile up (so adversarial input stays linear-ish).
 */
int64_t find_in(const uint8_t *bytes, size_t from, size_t length, const uint8_t *needle, size_t needle_length) noexcept {
  const size_t last = length - needle_length;  // the last position where a match fits
  size_t position = from;
  size_t misses = 0;
  while (position <= last) {
    const void *first = std::memchr(bytes + position, needle[0], last - position + 1);
    if (first == nullptr) return -1;
    position = static_cast<size_t>(static_cast<const uint8_t *>(first) - bytes);
    if (std::memcmp(bytes + position + 1, needle + 1, needle_length - 1) == 0) return static_cast<int64_t>(position);
    ++position;
    if (++misses > 16 && misses * 64 > position - from) {
      const void *hit = memmem(bytes + position, length - position, needle, needle_length);
      return hit == nullptr ? -1 : static_cast<int64_t>(static_cast<const uint8_t *>(hit) - bytes);
    }
  }
  return -1;
}

}  // namespace

int64_t Buffer::search(const uint8_t *needle, size_t needle_length, size_t start) const noexcept {
  if (start > length_) return -1;
  if (needle_length == 0) return static_cast<int64_t>(start);
  if (needle_length > length_ - start) return -1;
  size_t base = 0;
  for (size_t i = 0; i < slices_.size(); base += slices_[i].length, ++i) {
    const Slice &slice = slices_[i];
    if (base + slice.length <= start) continue;
    const uint8_t *bytes = slice.slab->data.get() + slice.offset;
    const size_t from = start > base ? start - base : 0;
    // Matches that fit in this slice.
    if (slice.length >= needle_length && from + needle_length <= slice.length) {
      const int64_t hit = find_in(bytes, from, slice.length, needle, needle_length);
      if (hit >= 0) return static_cast<int64_t>(base) + hit;
    }
    // Matches that start here and run into the next slices.
    size_t position = slice.length >= needle_length ? slice.length - needle_length + 1 : 0;
    position = std::max(position, from);
    while (position < slice.length) {
      const void *first = std::memchr(bytes + position, needle[0], slice.length - position);
      if (first == nullptr) break;
      position = static_cast<size_t>(static_cast<const uint8_t *>(first) - bytes);
      if (matches_at(i, position, needle, needle_length)) return static_cast<int64_t>(base + position);
      ++position;
    }
  }
  return -1;
}

gmcp_buffer *Buffer::slice(size_t offset, size_t length) {
  std::unique_ptr<gmcp_buffer> copy(new gmcp_buffer(pool_));
  size_t skip = offset;
  size_t remaining = length;
  size_t count = 0;
  for (size_t i = 0; i < slices_.size() && remaining > 0; ++i) {
    const Slice &slice = slices_[i];
    if (skip >= slice.length) {
      skip -= slice.length;
      continue;
    }
    const size_t part = std::min(slice.length - skip, remaining);
    remaining -= part;
    skip = 0;
    ++count;
  }
  copy->slices_.ensure_room(count);
  skip = offset;
  remaining = length;
  for (size_t i = 0; i < slices_.size() && remaining > 0; ++i) {
    const Slice &slice = slices_[i];
    if (skip >= slice.length) {
      skip -= slice.length;
      continue;
    }
    const size_t part = std::min(slice.length - skip, remaining);
    copy->slices_.push_back(Slice{slice.slab, slice.offset + skip, part});
    ++slice.slab->refs;
    remaining -= part;
    skip = 0;
  }
  copy->length_ = length;
  return copy.release();
}

gmcp_status Buffer::set_watermarks(size_t low, size_t high, int32_t *watermark) noexcept {
  if (low > high) return fail(GMCP_E_INVALID_ARGUMENT, "low is above high");
  low_ = low;
  high_ = high;
  report(watermark, evaluate_watermarks());
  return GMCP_OK;
}

void Buffer::watermarks(gmcp_buffer_watermark_state *state) const noexcept {
  state->low = low_;
  state->high = high_;
  state->above_high = above_high_ ? 1 : 0;
}

}  // namespace gmcp::buffers
