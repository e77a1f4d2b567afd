// Incremental framers over chunked byte streams: the shared event output and the two kinds
// (newline-delimited JSON, Content-Length). See the framing section of gopher_mcp_c.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "gopher_mcp_c.h"

namespace gmcp::framing {

/** Where one push or end writes its events. */
class EventOutput {
 public:
  EventOutput(gmcp_frame_event *events, size_t capacity) noexcept : events_(events), capacity_(capacity) {}

  bool full() const noexcept { return count_ >= capacity_; }
  size_t count() const noexcept { return count_; }

  void frame(size_t offset, size_t length) noexcept { put(GMCP_FRAME_EVENT_FRAME, offset, length); }
  void spill_frame(size_t length) noexcept { put(GMCP_FRAME_EVENT_SPILL_FRAME, 0, length); }
  void oversize(uint64_t size, uint64_t limit) noexcept { put(GMCP_FRAME_EVENT_OVERSIZE, size, limit); }
  void malformed(uint32_t reason) noexcept { put(GMCP_FRAME_EVENT_MALFORMED, reason, 0); }

 private:
  void put(uint32_t type, uint64_t a, uint64_t b) noexcept { events_[count_++] = gmcp_frame_event{type, 0, a, b}; }

  gmcp_frame_event *events_;
  size_t capacity_;
  size_t count_ = 0;
};

/**
 * A framer: `run` frames a chunk until it ends or the output is full (returning the bytes consumed),
 * `finish` reports an unfinished frame at the end of the stream and resets. Partial frames are kept
 * in `carry_`; a completed one moves to `spill_`, where it stays until the next push or end.
 */
class Framer {
 public:
  explicit Framer(size_t max_frame_size) noexcept : max_(max_frame_size) {}
  virtual ~Framer() = default;
  Framer(const Framer &) = delete;
  Framer &operator=(const Framer &) = delete;

  size_t push(const uint8_t *chunk, size_t length, EventOutput &out) {
    spill_.clear();
    return run(chunk, length, out);
  }
  void end(EventOutput &out) {
    spill_.clear();
    finish(out);
    carry_.clear();
  }
  const std::vector<uint8_t> &spill() const noexcept { return spill_; }

 protected:
  virtual size_t run(const uint8_t *chunk, size_t length, EventOutput &out) = 0;
  virtual void finish(EventOutput &out) = 0;

  /** Emits the carried bytes as the push's spill frame. */
  void emit_carry(EventOutput &out) {
    spill_.swap(carry_);
    carry_.clear();
    out.spill_frame(spill_.size());
  }

  const size_t max_;
  std::vector<uint8_t> carry_;
  std::vector<uint8_t> spill_;
};

/** Newline-delimited JSON. */
class NdjsonFramer final : public Framer {
 public:
  using Framer::Framer;

 protected:
  size_t run(const uint8_t *chunk, size_t length, EventOutput &out) override;
  void finish(EventOutput &out) override;

 private:
  /** Keeps bytes of a line that has not ended yet (only counting them once it is too long). */
  void absorb(const uint8_t *bytes, size_t length);
  /** Handles the line that ends at chunk[end] ('\n'), starting at chunk[start] after the carry. */
  void finish_line(const uint8_t *chunk, size_t start, size_t end, EventOutput &out);

  bool overflow_ = false;
  uint64_t overflow_count_ = 0;
  bool overflow_last_cr_ = false;
};

/** Content-Length framing (LSP style headers). */
class ContentLengthFramer final : public Framer {
 public:
  using Framer::Framer;

 protected:
  size_t run(const uint8_t *chunk, size_t length, EventOutput &out) override;
  void finish(EventOutput &out) override;

 private:
  enum class State { headers, body, skip, resync };

  size_t step_headers(const uint8_t *chunk, size_t pos, size_t length, EventOutput &out);
  size_t step_body(const uint8_t *chunk, size_t pos, size_t length, EventOutput &out);
  size_t step_skip(size_t pos, size_t length);
  size_t step_resync(const uint8_t *chunk, size_t pos, size_t length);
  /** One complete header line (without its '\n'); `next` is where the bytes after it start in the chunk. */
  void header_line(const uint8_t *line, size_t length, size_t next, EventOutput &out);
  void reject(uint32_t reason, bool discard_line, EventOutput &out);
  void reset_block() noexcept;

  State state_ = State::headers;
  std::vector<uint8_t> line_;
  size_t header_bytes_ = 0;
  bool saw_header_ = false;
  int64_t content_length_ = -1;
  uint64_t remaining_ = 0;
  size_t resync_matched_ = 0;
  bool resync_discard_ = false;
};

}  // namespace gmcp::framing

/** The opaque C handle of a framer. */
struct gmcp_framer {
  std::unique_ptr<gmcp::framing::Framer> framer;
};
