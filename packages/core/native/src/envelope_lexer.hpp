// The JSON layer of the envelope scanner: strict RFC 8259 lexing (strings with escapes and strict
// UTF-8, numbers, literals) and an iterative skipper for any value, with nesting tracked in a bit
// stack bounded by max_depth (no recursion). Failures are recorded once (status, reason, offset)
// and signalled by a nullptr position. Its twin is src/engine/envelope/js-lexer.ts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "envelope_simd.hpp"
#include "gopher_mcp_c.h"

namespace gmcp {
namespace envelope {

class JsonLexer {
 public:
  JsonLexer(const uint8_t *bytes, size_t length, uint32_t max_depth) noexcept
      : begin_(bytes), end_(bytes + length), max_depth_(max_depth) {
    std::memset(containers_, 0, sizeof(uint64_t) * (max_depth / 64 + 1));
  }

 protected:
  // ---- failures ----------------------------------------------------------------------------------
  const uint8_t *parse_error(int32_t reason, const uint8_t *at) noexcept {
    status_ = GMCP_ENVELOPE_STATUS_PARSE_ERROR;
    reason_ = reason;
    offset_ = static_cast<int32_t>(at - begin_);
    return nullptr;
  }
  const uint8_t *unexpected_end() noexcept { return parse_error(GMCP_ENVELOPE_REASON_UNEXPECTED_END, end_); }
  const uint8_t *unexpected_byte(const uint8_t *at) noexcept {
    return at == end_ ? unexpected_end() : parse_error(GMCP_ENVELOPE_REASON_UNEXPECTED_BYTE, at);
  }
  const uint8_t *too_deep(const uint8_t *at) noexcept {
    status_ = GMCP_ENVELOPE_STATUS_DEPTH_LIMIT;
    reason_ = GMCP_ENVELOPE_REASON_DEPTH_LIMIT;
    offset_ = static_cast<int32_t>(at - begin_);
    return nullptr;
  }

  // ---- lexical pieces ----------------------------------------------------------------------------
  static bool is_space(uint8_t c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  const uint8_t *skip_space(const uint8_t *p) const noexcept {
    if (p < end_ && *p > ' ') return p;  // compact JSON: almost always
    while (p < end_ && is_space(*p)) ++p;
    return p;
  }

  /** p is just after an opening quote; returns the byte after the closing quote (escapes set when seen). */
  const uint8_t *string_fast(const uint8_t *p, bool &escapes) noexcept {
#if defined(__SSE2__)
    // Most keys and short values end within 16 bytes without an escape: no call.
    if (end_ - p >= 16) {
      const uint32_t mask = special_mask16(p);
      if (mask != 0) {
        const uint8_t *q = p + __builtin_ctz(mask);
        if (*q == '"') return q + 1;
      }
    }
#endif
    return string_body(p, escapes);
  }

  const uint8_t *string_body(const uint8_t *p, bool &escapes) noexcept __attribute__((noinline));
  const uint8_t *escape(const uint8_t *p) noexcept;
  const uint8_t *hex4(const uint8_t *p, const uint8_t *backslash, int &unit) noexcept;
  const uint8_t *utf8_sequence(const uint8_t *p) noexcept;
  const uint8_t *utf8_scalar(const uint8_t *p) noexcept;
  const uint8_t *utf8_run(const uint8_t *p) noexcept;
  const uint8_t *number(const uint8_t *p, bool &integer) noexcept;
  const uint8_t *literal(const uint8_t *p, const char *text, size_t length) noexcept;
  /** p is where a key must start: reads the key, the colon and the space after it. */
  const uint8_t *key_and_colon(const uint8_t *p) noexcept {
    if (p == end_ || *p != '"') return unexpected_byte(p);
    bool escapes = false;
    p = string_fast(p + 1, escapes);
    if (p == nullptr) return nullptr;
    if (p < end_ && *p == ':') return skip_space(p + 1);  // compact JSON
    p = skip_space(p);
    if (p == end_ || *p != ':') return unexpected_byte(p);
    return skip_space(p + 1);
  }

  // ---- structure ---------------------------------------------------------------------------------
  void set_container(uint32_t depth, bool object) noexcept {
    const uint64_t bit = uint64_t{1} << (depth & 63);
    if (object) {
      containers_[depth >> 6] |= bit;
    } else {
      containers_[depth >> 6] &= ~bit;
    }
  }
  bool is_object(uint32_t depth) const noexcept { return (containers_[depth >> 6] >> (depth & 63)) & 1; }

  /**
   * Skips one value starting at p (space already skipped) inside a container at depth `base` (0
   * for the top level), iteratively. Sets last_type_ / last_escapes_ / last_integer_ for that value.
   */
  const uint8_t *value(const uint8_t *p, uint32_t base) noexcept;

  const uint8_t *begin_;
  const uint8_t *end_;
  const uint32_t max_depth_;

  int32_t status_ = GMCP_ENVELOPE_STATUS_OK;
  int32_t reason_ = GMCP_ENVELOPE_REASON_NONE;
  int32_t offset_ = -1;

  // The value just skipped by value().
  int32_t last_type_ = GMCP_ENVELOPE_TOKEN_NONE;
  bool last_escapes_ = false;
  bool last_integer_ = false;

 private:
  // Bit d is 1 when the container open at depth d is an object.
  uint64_t containers_[GMCP_ENVELOPE_MAX_DEPTH / 64 + 1];
};

}  // namespace envelope
}  // namespace gmcp
