// Key and method names of the envelope scanner, compared on the decoded text.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gmcp {
namespace envelope {

// Keys the context objects care about; the value is also the bit in Scanner::seen_.
enum Key : int {
  kKeyOther = 0,
  kKeyJsonrpc = 1,
  kKeyId = 2,
  kKeyMethod = 3,
  kKeyParams = 4,
  kKeyResult = 5,
  kKeyError = 6,
  kKeyName = 7,
  kKeyUri = 8,
  kKeyMeta = 9,
  kKeyProgressToken = 10,
  kKeyTraceparent = 11,
  kKeyTracestate = 12,
};

// Methods whose params carry an MCP field.
enum Method : int { kMethodOther = 0, kMethodToolsCall = 1, kMethodPromptsGet = 2, kMethodResource = 3 };

// Longest key or method name compared after decoding ("resources/unsubscribe").
constexpr size_t kDecodeCapacity = 24;

/** Whether the `length` bytes at `s` are the `literal_length` bytes of `literal`. */
bool equals(const uint8_t *s, size_t length, const char *literal, size_t literal_length) noexcept;

/** The Key of the (plain, decoded) key text at `s` in a context object of `level` (1, 2 or 3). */
int classify_key(const uint8_t *s, size_t n, int level) noexcept;

/** The Method of the (plain, decoded) method text at `s`. */
int classify_method(const uint8_t *s, size_t n) noexcept;

/**
 * Decodes the content [s, e) of an already validated string that has escapes into `out` (capacity
 * kDecodeCapacity) when it is pure ASCII that fits. Returns the length, or -1 when it cannot equal
 * any name.
 */
int decode_ascii(const uint8_t *s, const uint8_t *e, uint8_t *out) noexcept;

}  // namespace envelope
}  // namespace gmcp
