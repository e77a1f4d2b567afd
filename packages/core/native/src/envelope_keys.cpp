// Key and method names of the envelope scanner (see envelope_keys.hpp).
#include "envelope_keys.hpp"

#include <cstring>

namespace gmcp {
namespace envelope {
namespace {

inline int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool equals(const uint8_t *s, size_t length, const char *literal, size_t literal_length) noexcept {
  return length == literal_length && std::memcmp(s, literal, length) == 0;
}

int classify_key(const uint8_t *s, size_t n, int level) noexcept {
  switch (level) {
    case 1:
      if (equals(s, n, "jsonrpc", 7)) return kKeyJsonrpc;
      if (equals(s, n, "id", 2)) return kKeyId;
      if (equals(s, n, "method", 6)) return kKeyMethod;
      if (equals(s, n, "params", 6)) return kKeyParams;
      if (equals(s, n, "result", 6)) return kKeyResult;
      if (equals(s, n, "error", 5)) return kKeyError;
      return kKeyOther;
    case 2:
      if (equals(s, n, "name", 4)) return kKeyName;
      if (equals(s, n, "uri", 3)) return kKeyUri;
      if (equals(s, n, "_meta", 5)) return kKeyMeta;
      return kKeyOther;
    default:
      if (equals(s, n, "progressToken", 13)) return kKeyProgressToken;
      if (equals(s, n, "traceparent", 11)) return kKeyTraceparent;
      if (equals(s, n, "tracestate", 10)) return kKeyTracestate;
      return kKeyOther;
  }
}

int classify_method(const uint8_t *s, size_t n) noexcept {
  if (equals(s, n, "tools/call", 10)) return kMethodToolsCall;
  if (equals(s, n, "prompts/get", 11)) return kMethodPromptsGet;
  if (equals(s, n, "resources/read", 14) || equals(s, n, "resources/subscribe", 19) ||
      equals(s, n, "resources/unsubscribe", 21)) {
    return kMethodResource;
  }
  return kMethodOther;
}

int decode_ascii(const uint8_t *s, const uint8_t *e, uint8_t *out) noexcept {
  size_t n = 0;
  while (s < e) {
    uint8_t c = *s;
    if (c == '\\') {
      uint8_t k = s[1];
      switch (k) {
        case 'b': c = '\b'; s += 2; break;
        case 'f': c = '\f'; s += 2; break;
        case 'n': c = '\n'; s += 2; break;
        case 'r': c = '\r'; s += 2; break;
        case 't': c = '\t'; s += 2; break;
        case 'u': {
          const int unit = (hex_value(s[2]) << 12) | (hex_value(s[3]) << 8) | (hex_value(s[4]) << 4) | hex_value(s[5]);
          if (unit >= 0x80) return -1;
          c = static_cast<uint8_t>(unit);
          s += 6;
          break;
        }
        default: c = k; s += 2; break;  // '"', '\\', '/'
      }
    } else {
      if (c >= 0x80) return -1;
      ++s;
    }
    if (n == kDecodeCapacity) return -1;
    out[n++] = c;
  }
  return static_cast<int>(n);
}


}  // namespace envelope
}  // namespace gmcp
