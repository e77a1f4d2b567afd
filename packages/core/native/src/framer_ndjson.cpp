#include <cstring>

#include "framer.hpp"

namespace gmcp::framing {

size_t NdjsonFramer::run(const uint8_t *chunk, size_t length, EventOutput &out) {
  size_t pos = 0;
  while (pos < length) {
    if (out.full()) return pos;
    const void *newline = std::memchr(chunk + pos, '\n', length - pos);
    if (newline == nullptr) {
      absorb(chunk + pos, length - pos);
      return length;
    }
    const size_t end = static_cast<size_t>(static_cast<const uint8_t *>(newline) - chunk);
    finish_line(chunk, pos, end, out);
    pos = end + 1;
  }
  return length;
}

void NdjsonFramer::absorb(const uint8_t *bytes, size_t length) {
  const bool last_cr = bytes[length - 1] == '\r';
  if (overflow_) {
    overflow_count_ += length;
    overflow_last_cr_ = last_cr;
  } else if (carry_.size() + length > max_ + 1) {  // max_ bytes and a '\r' may still be one frame
    overflow_ = true;
    overflow_count_ = carry_.size() + length;
    overflow_last_cr_ = last_cr;
    carry_.clear();
  } else {
    carry_.insert(carry_.end(), bytes, bytes + length);
  }
}

void NdjsonFramer::finish_line(const uint8_t *chunk, size_t start, size_t end, EventOutput &out) {
  const uint8_t *segment = chunk + start;
  const size_t segment_length = end - start;
  if (overflow_) {
    const bool cr = segment_length > 0 ? segment[segment_length - 1] == '\r' : overflow_last_cr_;
    out.oversize(overflow_count_ + segment_length - (cr ? 1 : 0), max_);
    overflow_ = false;
    overflow_count_ = 0;
    overflow_last_cr_ = false;
    return;
  }
  if (carry_.empty()) {
    size_t size = segment_length;
    if (size > 0 && segment[size - 1] == '\r') --size;
    if (size == 0) return;
    if (size > max_) {
      out.oversize(size, max_);
    } else {
      out.frame(start, size);
    }
    return;
  }
  const bool cr = segment_length > 0 ? segment[segment_length - 1] == '\r' : carry_.back() == '\r';
  const size_t size = carry_.size() + segment_length - (cr ? 1 : 0);
  if (size == 0) {
    carry_.clear();
  } else if (size > max_) {
    carry_.clear();
    out.oversize(size, max_);
  } else {
    if (size <= carry_.size()) {
      carry_.resize(size);
    } else {
      carry_.insert(carry_.end(), segment, segment + (size - carry_.size()));
    }
    emit_carry(out);
  }
}

void NdjsonFramer::finish(EventOutput &out) {
  if (overflow_) {
    out.oversize(overflow_count_, max_);
    out.malformed(GMCP_FRAME_MALFORMED_TRUNCATED);
  } else if (!carry_.empty()) {
    if (carry_.size() > max_) out.oversize(carry_.size(), max_);
    out.malformed(GMCP_FRAME_MALFORMED_TRUNCATED);
  }
  overflow_ = false;
  overflow_count_ = 0;
  overflow_last_cr_ = false;
}

}  // namespace gmcp::framing
