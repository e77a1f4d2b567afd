// The JSON layer of the envelope scanner (see envelope_lexer.hpp).
#include "envelope_lexer.hpp"

namespace gmcp {
namespace envelope {
namespace {

// Bytes that need no attention inside a string: printable ASCII other than '"' and '\'.
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0; c < 256; ++c) plain[c] = c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain{};

inline bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

inline int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Characters that may follow a backslash as a two-byte escape.
struct ShortEscapeTable {
  bool is[256];
  constexpr ShortEscapeTable() : is() {
    const char escapable[] = "\"\\/bfnrt";
    for (int i = 0; escapable[i] != 0; ++i) is[static_cast<uint8_t>(escapable[i])] = true;
  }
};
constexpr ShortEscapeTable kShortEscape{};

}  // namespace

// p is just after the opening quote; returns the byte after the closing quote.
const uint8_t *JsonLexer::string_body(const uint8_t *p, bool &escapes) noexcept {
  const uint8_t *const end = end_;
  bool escaped = false;
#if defined(__SSE2__)
  // Whole blocks (64 bytes, then 16): every byte needing attention in a block is handled from the
  // block's mask without reloading, so escapes and accented letters cost a few instructions each.
  for (;;) {
    uint64_t mask;
    ptrdiff_t width;
    if (end - p >= 64) {
      width = 64;
      mask = special_mask64(p);
    } else if (end - p >= 16) {
      width = 16;
      mask = special_mask16(p);
    } else {
      break;
    }
    if (mask == 0) {
      p += width;
      continue;
    }
    const uint8_t *const block = p;
    for (;;) {
      const uint8_t *q = block + __builtin_ctzll(mask);
      const uint8_t c = *q;
      if (c == '\\') {
        escaped = true;
        q = end - q >= 2 && kShortEscape.is[q[1]] ? q + 2 : escape(q);
      } else if (c == '"') {
        escapes = escapes || escaped;
        return q + 1;
      } else if (c < 0x20) {
        return parse_error(GMCP_ENVELOPE_REASON_CONTROL_CHARACTER, q);
      } else {
        q = utf8_run(q);
      }
      if (q == nullptr) return nullptr;
      const ptrdiff_t consumed = q - block;
      if (consumed >= width) {
        p = q;
        break;
      }
      mask &= ~uint64_t{0} << consumed;
      if (mask == 0) {
        p = block + width;
        break;
      }
    }
  }
#endif
  // The last bytes (or everything without SSE2), one at a time.
  for (;;) {
    while (p < end && kPlain.plain[*p]) ++p;
    if (p == end) return unexpected_end();
    const uint8_t c = *p;
    if (c == '"') {
      escapes = escapes || escaped;
      return p + 1;
    }
    if (c == '\\') {
      escaped = true;
      p = escape(p);
    } else if (c < 0x20) {
      return parse_error(GMCP_ENVELOPE_REASON_CONTROL_CHARACTER, p);
    } else {
      p = utf8_run(p);
    }
    if (p == nullptr) return nullptr;
  }
}

// Four hex digits at p (the escape's backslash is `backslash`); the unit goes to `unit`.
const uint8_t *JsonLexer::hex4(const uint8_t *p, const uint8_t *backslash, int &unit) noexcept {
  unit = 0;
  for (int i = 0; i < 4; ++i) {
    if (p + i == end_) return unexpected_end();
    const int digit = hex_value(p[i]);
    if (digit < 0) return parse_error(GMCP_ENVELOPE_REASON_INVALID_ESCAPE, backslash);
    unit = (unit << 4) | digit;
  }
  return p + 4;
}

// p is at a backslash; returns the byte after the escape (after both halves of a surrogate pair).
const uint8_t *JsonLexer::escape(const uint8_t *p) noexcept {
  if (end_ - p < 2) return unexpected_end();
  switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      return p + 2;
    case 'u':
      break;
    default:
      return parse_error(GMCP_ENVELOPE_REASON_INVALID_ESCAPE, p);
  }
  int unit = 0;
  const uint8_t *q = hex4(p + 2, p, unit);
  if (q == nullptr) return nullptr;
  if (unit >= 0xDC00 && unit <= 0xDFFF) return parse_error(GMCP_ENVELOPE_REASON_LONE_SURROGATE, p);
  if (unit < 0xD800 || unit > 0xDBFF) return q;
  // A high surrogate: the next escape must be a low one.
  if (q == end_) return unexpected_end();
  if (*q != '\\') return parse_error(GMCP_ENVELOPE_REASON_LONE_SURROGATE, p);
  if (q + 1 == end_) return unexpected_end();
  if (q[1] != 'u') return parse_error(GMCP_ENVELOPE_REASON_LONE_SURROGATE, p);
  int low = 0;
  const uint8_t *r = hex4(q + 2, q, low);
  if (r == nullptr) return nullptr;
  if (low < 0xDC00 || low > 0xDFFF) return parse_error(GMCP_ENVELOPE_REASON_LONE_SURROGATE, p);
  return r;
}

// p is at a byte >= 0x80: validates exactly one UTF-8 sequence and returns the byte after it.
const uint8_t *JsonLexer::utf8_sequence(const uint8_t *p) noexcept {
  const uint8_t lead = *p;
  size_t length;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong 3-byte forms
    if (lead == 0xED) high = 0x9F;  // no UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong 4-byte forms
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return parse_error(GMCP_ENVELOPE_REASON_INVALID_UTF8, p);
  }
  for (size_t i = 1; i < length; ++i) {
    if (p + i == end_) return unexpected_end();
    const uint8_t c = p[i];
    if (c < low || c > high) return parse_error(GMCP_ENVELOPE_REASON_INVALID_UTF8, p);
    low = 0x80;
    high = 0xBF;
  }
  return p + length;
}

// p is at a byte >= 0x80; validates UTF-8 sequences one by one until the next ASCII byte (or the end).
// This is the reference: every UTF-8 verdict and offset comes from here.
const uint8_t *JsonLexer::utf8_scalar(const uint8_t *p) noexcept {
  while (p < end_ && *p >= 0x80) {
    p = utf8_sequence(p);
    if (p == nullptr) return nullptr;
  }
  return p;
}


// p is at a byte >= 0x80; validates UTF-8 until the next ASCII byte, or further: it may stop at any
// sequence boundary before the next '"', '\\' or control byte (plain ASCII is valid UTF-8).
const uint8_t *JsonLexer::utf8_run(const uint8_t *p) noexcept {
  // Short runs (accented letters in ASCII text) are cheapest one sequence at a time.
  for (int i = 0; i < 8; ++i) {
    p = utf8_sequence(p);
    if (p == nullptr || p == end_ || *p < 0x80) return p;
  }
#if defined(__SSE2__)
  while (end_ - p >= 64) {
    const int good = utf8_block64(p);
    if (good < 0) return utf8_scalar(p);  // the reference finds the exact error
    p += good;
    if (good < 64) return p;
  }
#endif
  return utf8_scalar(p);
}

const uint8_t *JsonLexer::number(const uint8_t *p, bool &integer) noexcept {
  integer = true;
  if (*p == '-') {
    ++p;
    if (p == end_) return unexpected_end();
  }
  if (*p == '0') {
    ++p;
    if (p < end_ && is_digit(*p)) return parse_error(GMCP_ENVELOPE_REASON_INVALID_NUMBER, p);
  } else if (is_digit(*p)) {
    ++p;
    while (p < end_ && is_digit(*p)) ++p;
  } else {
    return parse_error(GMCP_ENVELOPE_REASON_INVALID_NUMBER, p);
  }
  if (p < end_ && *p == '.') {
    integer = false;
    ++p;
    if (p == end_) return unexpected_end();
    if (!is_digit(*p)) return parse_error(GMCP_ENVELOPE_REASON_INVALID_NUMBER, p);
    while (p < end_ && is_digit(*p)) ++p;
  }
  if (p < end_ && (*p == 'e' || *p == 'E')) {
    integer = false;
    ++p;
    if (p == end_) return unexpected_end();
    if (*p == '+' || *p == '-') {
      ++p;
      if (p == end_) return unexpected_end();
    }
    if (!is_digit(*p)) return parse_error(GMCP_ENVELOPE_REASON_INVALID_NUMBER, p);
    while (p < end_ && is_digit(*p)) ++p;
  }
  return p;
}

const uint8_t *JsonLexer::literal(const uint8_t *p, const char *text, size_t length) noexcept {
  for (size_t i = 0; i < length; ++i) {
    if (p + i == end_) return unexpected_end();
    if (p[i] != static_cast<uint8_t>(text[i])) return parse_error(GMCP_ENVELOPE_REASON_INVALID_LITERAL, p + i);
  }
  return p + length;
}


const uint8_t *JsonLexer::value(const uint8_t *p, const uint32_t base) noexcept {
  uint32_t depth = base;
  bool in_object = false;  // the kind of the container open at `depth` (when depth > base)
  for (;;) {
    // A value starts at p. Tests in order of frequency in MCP messages (strings first): a chain
    // of predictable branches beats a jump table here.
    if (p == end_) return unexpected_end();
    const uint8_t c = *p;
    int32_t type;
    bool escapes = false;
    bool integer = false;
    if (c == '"') {
      type = GMCP_ENVELOPE_TOKEN_STRING;
      p = string_fast(p + 1, escapes);
    } else if (c == '{' || c == '[') {
      const bool object = c == '{';
      if (depth + 1 > max_depth_) return too_deep(p);
      ++depth;
      set_container(depth, object);
      in_object = object;
      if (depth == base + 1) {
        last_type_ = object ? GMCP_ENVELOPE_TOKEN_OBJECT : GMCP_ENVELOPE_TOKEN_ARRAY;
        last_escapes_ = false;
        last_integer_ = false;
      }
      p = skip_space(p + 1);
      if (p == end_) return unexpected_end();
      if (*p != (object ? '}' : ']')) {
        if (object) {
          p = key_and_colon(p);
          if (p == nullptr) return nullptr;
        }
        continue;  // the first member's value
      }
      ++p;
      --depth;
      if (depth > base) in_object = is_object(depth);
      type = GMCP_ENVELOPE_TOKEN_NONE;  // a closed container: its type is already recorded
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      type = GMCP_ENVELOPE_TOKEN_NUMBER;
      p = number(p, integer);
    } else if (c == 't') {
      type = GMCP_ENVELOPE_TOKEN_TRUE;
      p = literal(p, "true", 4);
    } else if (c == 'f') {
      type = GMCP_ENVELOPE_TOKEN_FALSE;
      p = literal(p, "false", 5);
    } else if (c == 'n') {
      type = GMCP_ENVELOPE_TOKEN_NULL;
      p = literal(p, "null", 4);
    } else {
      return unexpected_byte(p);
    }
    if (p == nullptr) return nullptr;
    if (depth == base && type != GMCP_ENVELOPE_TOKEN_NONE) {
      last_type_ = type;
      last_escapes_ = escapes;
      last_integer_ = integer;
    }
    // A value ended at p: close containers or move to the next member.
    for (;;) {
      if (depth == base) return p;
      p = skip_space(p);
      if (p == end_) return unexpected_end();
      if (*p == ',') {
        p = skip_space(p + 1);
        if (in_object) {
          p = key_and_colon(p);
          if (p == nullptr) return nullptr;
        }
        break;
      }
      if (*p != (in_object ? '}' : ']')) return unexpected_byte(p);
      ++p;
      --depth;
      if (depth > base) in_object = is_object(depth);
    }
  }
}

}  // namespace envelope
}  // namespace gmcp
