#include <algorithm>
#include <cstring>

#include "framer.hpp"

namespace gmcp::framing {
namespace {

constexpr char kContentLength[] = "content-length:";
constexpr size_t kContentLengthPrefix = sizeof(kContentLength) - 1;
constexpr uint64_t kMaxContentLength = (uint64_t{1} << 53) - 1;

uint8_t lower(uint8_t c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c; }

/** RFC 9110 token characters. */
bool is_token_char(uint8_t c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_blank(uint8_t c) noexcept { return c == ' ' || c == '\t'; }

/** Parses "[blanks]digits[blanks]" (1 to 16 digits, at most 2^53 - 1); -1 when it is not that. */
int64_t parse_length(const uint8_t *value, size_t length) noexcept {
  size_t i = 0;
  while (i < length && is_blank(value[i])) ++i;
  const size_t digits_start = i;
  uint64_t result = 0;
  while (i < length && value[i] >= '0' && value[i] <= '9') {
    if (i - digits_start == 16) return -1;
    result = result * 10 + static_cast<uint64_t>(value[i] - '0');
    ++i;
  }
  if (i == digits_start || result > kMaxContentLength) return -1;
  while (i < length && is_blank(value[i])) ++i;
  return i == length ? static_cast<int64_t>(result) : -1;
}

}  // namespace

size_t ContentLengthFramer::run(const uint8_t *chunk, size_t length, EventOutput &out) {
  size_t pos = 0;
  while (pos < length) {
    if (out.full()) return pos;
    switch (state_) {
      case State::headers:
        pos = step_headers(chunk, pos, length, out);
        break;
      case State::body:
        pos = step_body(chunk, pos, length, out);
        break;
      case State::skip:
        pos = step_skip(pos, length);
        break;
      case State::resync:
        pos = step_resync(chunk, pos, length);
        break;
    }
  }
  return length;
}

void ContentLengthFramer::reset_block() noexcept {
  line_.clear();
  header_bytes_ = 0;
  saw_header_ = false;
  content_length_ = -1;
}

void ContentLengthFramer::reject(uint32_t reason, bool discard_line, EventOutput &out) {
  out.malformed(reason);
  reset_block();
  state_ = State::resync;
  resync_matched_ = 0;
  resync_discard_ = discard_line;
}

size_t ContentLengthFramer::step_headers(const uint8_t *chunk, size_t pos, size_t length, EventOutput &out) {
  const void *newline = std::memchr(chunk + pos, '\n', length - pos);
  const size_t line_end = newline == nullptr ? length : static_cast<size_t>(static_cast<const uint8_t *>(newline) - chunk);
  const size_t segment = line_end - pos;
  if (header_bytes_ + segment + (newline == nullptr ? 0 : 1) > GMCP_FRAMING_MAX_HEADER_BYTES) {
    reject(GMCP_FRAME_MALFORMED_HEADER_TOO_LONG, true, out);
    return pos;
  }
  if (newline == nullptr) {
    line_.insert(line_.end(), chunk + pos, chunk + length);
    header_bytes_ += segment;
    return length;
  }
  header_bytes_ += segment + 1;
  if (line_.empty()) {
    header_line(chunk + pos, segment, line_end + 1, out);
  } else {
    line_.insert(line_.end(), chunk + pos, chunk + line_end);
    header_line(line_.data(), line_.size(), line_end + 1, out);  // reads the line before any reset
    line_.clear();
  }
  return line_end + 1;
}

void ContentLengthFramer::header_line(const uint8_t *line, size_t length, size_t next, EventOutput &out) {
  if (length == 0 || line[length - 1] != '\r') {
    reject(GMCP_FRAME_MALFORMED_INVALID_HEADER_LINE, false, out);
    return;
  }
  --length;
  if (length == 0) {
    if (!saw_header_) {
      header_bytes_ = 0;  // an empty line between messages
      return;
    }
    if (content_length_ < 0) {
      reject(GMCP_FRAME_MALFORMED_MISSING_CONTENT_LENGTH, false, out);
      return;
    }
    const uint64_t declared = static_cast<uint64_t>(content_length_);
    reset_block();
    if (declared > max_) {
      out.oversize(declared, max_);
      state_ = State::skip;
      remaining_ = declared;
    } else if (declared == 0) {
      out.frame(next, 0);
    } else {
      state_ = State::body;
      remaining_ = declared;
    }
    return;
  }
  const void *colon = std::memchr(line, ':', length);
  if (colon == nullptr || colon == line) {
    reject(GMCP_FRAME_MALFORMED_INVALID_HEADER_LINE, false, out);
    return;
  }
  const size_t name_length = static_cast<size_t>(static_cast<const uint8_t *>(colon) - line);
  bool is_content_length = name_length == kContentLengthPrefix - 1;
  for (size_t i = 0; i < name_length; ++i) {
    if (!is_token_char(line[i])) {
      reject(GMCP_FRAME_MALFORMED_INVALID_HEADER_LINE, false, out);
      return;
    }
    if (is_content_length && lower(line[i]) != static_cast<uint8_t>(kContentLength[i])) is_content_length = false;
  }
  if (is_content_length) {
    if (content_length_ >= 0) {
      reject(GMCP_FRAME_MALFORMED_DUPLICATE_CONTENT_LENGTH, false, out);
      return;
    }
    const int64_t declared = parse_length(line + name_length + 1, length - name_length - 1);
    if (declared < 0) {
      reject(GMCP_FRAME_MALFORMED_INVALID_CONTENT_LENGTH, false, out);
      return;
    }
    content_length_ = declared;
  }
  saw_header_ = true;
}

size_t ContentLengthFramer::step_body(const uint8_t *chunk, size_t pos, size_t length, EventOutput &out) {
  const size_t available = length - pos;
  if (carry_.empty() && available >= remaining_) {
    const size_t size = static_cast<size_t>(remaining_);
    out.frame(pos, size);
    state_ = State::headers;
    remaining_ = 0;
    return pos + size;
  }
  const size_t take = static_cast<size_t>(std::min<uint64_t>(available, remaining_));
  carry_.insert(carry_.end(), chunk + pos, chunk + pos + take);
  remaining_ -= take;
  if (remaining_ == 0) {
    emit_carry(out);
    state_ = State::headers;
  }
  return pos + take;
}

size_t ContentLengthFramer::step_skip(size_t pos, size_t length) {
  const size_t take = static_cast<size_t>(std::min<uint64_t>(length - pos, remaining_));
  remaining_ -= take;
  if (remaining_ == 0) state_ = State::headers;
  return pos + take;
}

size_t ContentLengthFramer::step_resync(const uint8_t *chunk, size_t pos, size_t length) {
  if (resync_discard_) {
    const void *newline = std::memchr(chunk + pos, '\n', length - pos);
    if (newline == nullptr) return length;
    resync_discard_ = false;
    resync_matched_ = 0;
    return static_cast<size_t>(static_cast<const uint8_t *>(newline) - chunk) + 1;
  }
  while (pos < length && resync_matched_ < kContentLengthPrefix) {
    const uint8_t c = chunk[pos];
    if (c == '\n') {
      resync_matched_ = 0;
      ++pos;
      continue;
    }
    if (lower(c) != static_cast<uint8_t>(kContentLength[resync_matched_])) {
      resync_discard_ = true;
      resync_matched_ = 0;
      return pos;
    }
    ++resync_matched_;
    ++pos;
  }
  if (resync_matched_ == kContentLengthPrefix) {
    resync_matched_ = 0;
    state_ = State::headers;
    reset_block();
    line_.assign(kContentLength, kContentLength + kContentLengthPrefix);
    header_bytes_ = kContentLengthPrefix;
  }
  return pos;
}

void ContentLengthFramer::finish(EventOutput &out) {
  const bool unfinished = (state_ == State::headers && header_bytes_ > 0) || state_ == State::body ||
                          state_ == State::skip;
  if (unfinished) out.malformed(GMCP_FRAME_MALFORMED_TRUNCATED);
  state_ = State::headers;
  reset_block();
  remaining_ = 0;
  resync_matched_ = 0;
  resync_discard_ = false;
}

}  // namespace gmcp::framing
