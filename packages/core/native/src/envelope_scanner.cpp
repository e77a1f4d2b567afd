// The JSON-RPC envelope scanner. Its twin is src/engine/envelope/js-scanner.ts: the two follow the
// same algorithm step by step, so every verdict, reason and offset is the same (conformance vectors).
//
// Shape of the scan: the top-level object, params and params._meta are "context objects" whose keys
// are classified (on the decoded key) and whose members are checked; every other value is skipped by
// the JSON layer (envelope_lexer.hpp), iteratively. The first envelope problem in document order is
// kept, but a malformed byte or a limit anywhere wins; missing members are judged at the end.
#include "envelope_scanner.hpp"

#include "envelope_keys.hpp"
#include "envelope_lexer.hpp"
#include "gopher_mcp_c.h"

namespace gmcp {
namespace envelope {
namespace {

// Internal field slots beyond the public ones: params.name and params.uri before the method is known.
constexpr int kFieldName = GMCP_ENVELOPE_FIELD_COUNT;
constexpr int kFieldUri = GMCP_ENVELOPE_FIELD_COUNT + 1;
constexpr int kFieldSlots = GMCP_ENVELOPE_FIELD_COUNT + 2;

struct Field {
  int32_t start;
  int32_t end;
  int32_t flags;
};

class Scanner : public JsonLexer {
 public:
  Scanner(const uint8_t *bytes, size_t length, uint32_t max_depth) noexcept : JsonLexer(bytes, length, max_depth) {
    for (Field &field : fields_) field = Field{-1, -1, 0};
  }

  void run(uint32_t max_size, int32_t *out) noexcept;

 private:
  void envelope_error(int32_t reason, const uint8_t *at) noexcept {
    if (envelope_reason_ != GMCP_ENVELOPE_REASON_NONE) return;
    envelope_reason_ = reason;
    envelope_offset_ = static_cast<int32_t>(at - begin_);
  }
  const uint8_t *context_object(const uint8_t *p, uint32_t depth, int level) noexcept;
  const uint8_t *member(const uint8_t *p, const uint8_t *key_start, uint32_t depth, int key) noexcept;
  const uint8_t *batch(const uint8_t *p) noexcept;
  bool decoded_equals_version(const uint8_t *s, const uint8_t *e, bool escapes) const noexcept;
  int method_of(const uint8_t *s, const uint8_t *e, bool escapes) const noexcept;
  void record(int field, const uint8_t *start, const uint8_t *end) noexcept {
    int32_t flags = last_type_;
    if (last_escapes_) flags |= GMCP_ENVELOPE_FLAG_ESCAPES;
    if (last_integer_) flags |= GMCP_ENVELOPE_FLAG_INTEGER;
    fields_[field] = Field{static_cast<int32_t>(start - begin_), static_cast<int32_t>(end - begin_), flags};
  }
  int32_t field_type(int field) const noexcept { return fields_[field].flags & GMCP_ENVELOPE_TOKEN_TYPE_MASK; }
  void finish(const uint8_t *top, int32_t *out) noexcept;
  void write(int32_t *out, int32_t status, int32_t kind, int32_t offset, int32_t reason, bool all_fields) const noexcept;

  int32_t envelope_reason_ = GMCP_ENVELOPE_REASON_NONE;
  int32_t envelope_offset_ = -1;
  uint32_t seen_ = 0;  // bit k set once key k (a Key) was seen
  bool id_duplicate_ = false;
  bool id_valid_ = false;
  int method_ = kMethodOther;
  int32_t batch_count_ = 0;
  Field fields_[kFieldSlots];
};

bool Scanner::decoded_equals_version(const uint8_t *s, const uint8_t *e, bool escapes) const noexcept {
  if (!escapes) return equals(s, static_cast<size_t>(e - s), "2.0", 3);
  uint8_t decoded[kDecodeCapacity];
  const int n = decode_ascii(s, e, decoded);
  return n >= 0 && equals(decoded, static_cast<size_t>(n), "2.0", 3);
}

int Scanner::method_of(const uint8_t *s, const uint8_t *e, bool escapes) const noexcept {
  if (!escapes) return classify_method(s, static_cast<size_t>(e - s));
  uint8_t decoded[kDecodeCapacity];
  const int n = decode_ascii(s, e, decoded);
  return n < 0 ? kMethodOther : classify_method(decoded, static_cast<size_t>(n));
}

// p is at the '{' of a context object at `depth`: the top level (level 1), params (2) or _meta (3).
const uint8_t *Scanner::context_object(const uint8_t *p, uint32_t depth, int level) noexcept {
  if (depth > max_depth_) return too_deep(p);
  set_container(depth, true);
  p = skip_space(p + 1);
  if (p == end_) return unexpected_end();
  if (*p == '}') return p + 1;
  for (;;) {
    if (p == end_ || *p != '"') return unexpected_byte(p);
    const uint8_t *key_start = p;
    bool escapes = false;
    p = string_fast(p + 1, escapes);
    if (p == nullptr) return nullptr;
    int key;
    if (!escapes) {
      key = classify_key(key_start + 1, static_cast<size_t>(p - 1 - (key_start + 1)), level);
    } else {
      uint8_t decoded[kDecodeCapacity];
      const int n = decode_ascii(key_start + 1, p - 1, decoded);
      key = n < 0 ? kKeyOther : classify_key(decoded, static_cast<size_t>(n), level);
    }
    p = skip_space(p);
    if (p == end_ || *p != ':') return unexpected_byte(p);
    p = skip_space(p + 1);
    p = key == kKeyOther ? value(p, depth) : member(p, key_start, depth, key);
    if (p == nullptr) return nullptr;
    p = skip_space(p);
    if (p == end_) return unexpected_end();
    if (*p == '}') return p + 1;
    if (*p != ',') return unexpected_byte(p);
    p = skip_space(p + 1);
  }
}

// The value of a classified key of a context object at `depth`; p is at the value.
const uint8_t *Scanner::member(const uint8_t *p, const uint8_t *key_start, uint32_t depth, int key) noexcept {
  const uint32_t bit = uint32_t{1} << key;
  if ((seen_ & bit) != 0) {
    if (key == kKeyId) id_duplicate_ = true;
    envelope_error(GMCP_ENVELOPE_REASON_DUPLICATE_KEY, key_start);
    return value(p, depth);
  }
  seen_ |= bit;
  const uint8_t *start = p;
  const bool object = p < end_ && *p == '{';
  if (key == kKeyParams && object) {
    p = context_object(p, depth + 1, 2);
    if (p == nullptr) return nullptr;
    last_type_ = GMCP_ENVELOPE_TOKEN_OBJECT;
    last_escapes_ = false;
    last_integer_ = false;
    record(GMCP_ENVELOPE_FIELD_PARAMS, start, p);
    return p;
  }
  if (key == kKeyMeta && object) {
    p = context_object(p, depth + 1, 3);
    if (p == nullptr) return nullptr;
    last_type_ = GMCP_ENVELOPE_TOKEN_OBJECT;
    last_escapes_ = false;
    last_integer_ = false;
    record(GMCP_ENVELOPE_FIELD_META, start, p);
    return p;
  }
  p = value(p, depth);
  if (p == nullptr) return nullptr;
  const int32_t type = last_type_;
  const bool is_string = type == GMCP_ENVELOPE_TOKEN_STRING;
  switch (key) {
    case kKeyJsonrpc:
      if (!is_string || !decoded_equals_version(start + 1, p - 1, last_escapes_)) {
        envelope_error(GMCP_ENVELOPE_REASON_JSONRPC_INVALID, start);
      }
      break;
    case kKeyId:
      record(GMCP_ENVELOPE_FIELD_ID, start, p);
      if (type == GMCP_ENVELOPE_TOKEN_NUMBER && !last_integer_) {
        envelope_error(GMCP_ENVELOPE_REASON_ID_NOT_INTEGER, start);
      } else if (is_string || type == GMCP_ENVELOPE_TOKEN_NUMBER || type == GMCP_ENVELOPE_TOKEN_NULL) {
        id_valid_ = true;
      } else {
        envelope_error(GMCP_ENVELOPE_REASON_ID_WRONG_TYPE, start);
      }
      break;
    case kKeyMethod:
      record(GMCP_ENVELOPE_FIELD_METHOD, start, p);
      if (is_string) {
        method_ = method_of(start + 1, p - 1, last_escapes_);
      } else {
        envelope_error(GMCP_ENVELOPE_REASON_METHOD_NOT_STRING, start);
      }
      break;
    case kKeyParams:
      record(GMCP_ENVELOPE_FIELD_PARAMS, start, p);
      if (type != GMCP_ENVELOPE_TOKEN_ARRAY) envelope_error(GMCP_ENVELOPE_REASON_PARAMS_NOT_STRUCTURED, start);
      break;
    case kKeyResult:
      record(GMCP_ENVELOPE_FIELD_RESULT, start, p);
      break;
    case kKeyError:
      record(GMCP_ENVELOPE_FIELD_ERROR, start, p);
      if (type != GMCP_ENVELOPE_TOKEN_OBJECT) envelope_error(GMCP_ENVELOPE_REASON_ERROR_NOT_OBJECT, start);
      break;
    case kKeyName:
      record(kFieldName, start, p);
      break;
    case kKeyUri:
      record(kFieldUri, start, p);
      break;
    case kKeyMeta:
      record(GMCP_ENVELOPE_FIELD_META, start, p);
      envelope_error(GMCP_ENVELOPE_REASON_META_NOT_OBJECT, start);
      break;
    case kKeyProgressToken:
      record(GMCP_ENVELOPE_FIELD_PROGRESS_TOKEN, start, p);
      if (!is_string && type != GMCP_ENVELOPE_TOKEN_NUMBER) {
        envelope_error(GMCP_ENVELOPE_REASON_PROGRESS_TOKEN_WRONG_TYPE, start);
      }
      break;
    case kKeyTraceparent:
      record(GMCP_ENVELOPE_FIELD_TRACEPARENT, start, p);
      if (!is_string) envelope_error(GMCP_ENVELOPE_REASON_TRACE_CONTEXT_NOT_STRING, start);
      break;
    case kKeyTracestate:
      record(GMCP_ENVELOPE_FIELD_TRACESTATE, start, p);
      if (!is_string) envelope_error(GMCP_ENVELOPE_REASON_TRACE_CONTEXT_NOT_STRING, start);
      break;
    default:
      break;
  }
  return p;
}

// p is at the '[' of a top-level array: counts its elements.
const uint8_t *Scanner::batch(const uint8_t *p) noexcept {
  set_container(1, false);
  p = skip_space(p + 1);
  if (p == end_) return unexpected_end();
  if (*p == ']') return p + 1;
  for (;;) {
    p = value(p, 1);
    if (p == nullptr) return nullptr;
    ++batch_count_;
    p = skip_space(p);
    if (p == end_) return unexpected_end();
    if (*p == ']') return p + 1;
    if (*p != ',') return unexpected_byte(p);
    p = skip_space(p + 1);
  }
}

void Scanner::write(int32_t *out, int32_t status, int32_t kind, int32_t offset, int32_t reason,
                    bool all_fields) const noexcept {
  out[0] = status;
  out[1] = kind;
  out[2] = offset;
  out[3] = reason;
  out[4] = kind == GMCP_ENVELOPE_KIND_BATCH ? batch_count_ : 0;
  out[5] = 0;
  for (int f = 0; f < GMCP_ENVELOPE_FIELD_COUNT; ++f) {
    int32_t *slot = out + GMCP_ENVELOPE_HEADER_SLOTS + GMCP_ENVELOPE_FIELD_STRIDE * f;
    slot[0] = -1;
    slot[1] = -1;
    slot[2] = 0;
  }
  const bool keep_id = all_fields || (status == GMCP_ENVELOPE_STATUS_INVALID_ENVELOPE && (seen_ & (1u << kKeyId)) != 0 &&
                                      !id_duplicate_ && id_valid_);
  if (!keep_id && !all_fields) return;
  for (int f = 0; f < GMCP_ENVELOPE_FIELD_COUNT; ++f) {
    if (!all_fields && f != GMCP_ENVELOPE_FIELD_ID) continue;
    int32_t *slot = out + GMCP_ENVELOPE_HEADER_SLOTS + GMCP_ENVELOPE_FIELD_STRIDE * f;
    slot[0] = fields_[f].start;
    slot[1] = fields_[f].end;
    slot[2] = fields_[f].flags;
  }
  out[5] = fields_[GMCP_ENVELOPE_FIELD_ID].flags & GMCP_ENVELOPE_TOKEN_TYPE_MASK;
}

// The whole input is well-formed JSON within the limits; `top` is where its value starts.
void Scanner::finish(const uint8_t *top, int32_t *out) noexcept {
  const int32_t invalid = GMCP_ENVELOPE_STATUS_INVALID_ENVELOPE;
  const int32_t top_offset = static_cast<int32_t>(top - begin_);
  if (*top == '[') {
    if (batch_count_ == 0) return write(out, invalid, 0, top_offset, GMCP_ENVELOPE_REASON_EMPTY_BATCH, false);
    return write(out, GMCP_ENVELOPE_STATUS_OK, GMCP_ENVELOPE_KIND_BATCH, -1, GMCP_ENVELOPE_REASON_NONE, false);
  }
  if (*top != '{') return write(out, invalid, 0, top_offset, GMCP_ENVELOPE_REASON_NOT_AN_OBJECT, false);
  if (envelope_reason_ != GMCP_ENVELOPE_REASON_NONE) {
    return write(out, invalid, 0, envelope_offset_, envelope_reason_, false);
  }
  auto has = [this](int key) { return (seen_ & (1u << key)) != 0; };
  auto fail = [&](int32_t reason, int32_t offset) { write(out, invalid, 0, offset, reason, false); };
  if (!has(kKeyJsonrpc)) return fail(GMCP_ENVELOPE_REASON_JSONRPC_MISSING, top_offset);
  const bool id_null = has(kKeyId) && field_type(GMCP_ENVELOPE_FIELD_ID) == GMCP_ENVELOPE_TOKEN_NULL;
  const int32_t id_offset = fields_[GMCP_ENVELOPE_FIELD_ID].start;
  int32_t kind;
  if (has(kKeyMethod)) {
    if (has(kKeyResult) || has(kKeyError)) {
      return fail(GMCP_ENVELOPE_REASON_METHOD_WITH_RESULT, fields_[GMCP_ENVELOPE_FIELD_METHOD].start);
    }
    if (id_null) return fail(GMCP_ENVELOPE_REASON_ID_NULL_NOT_ALLOWED, id_offset);
    if ((method_ == kMethodToolsCall || method_ == kMethodPromptsGet) && fields_[kFieldName].start >= 0 &&
        field_type(kFieldName) != GMCP_ENVELOPE_TOKEN_STRING) {
      return fail(GMCP_ENVELOPE_REASON_NAME_NOT_STRING, fields_[kFieldName].start);
    }
    if (method_ == kMethodResource && fields_[kFieldUri].start >= 0 &&
        field_type(kFieldUri) != GMCP_ENVELOPE_TOKEN_STRING) {
      return fail(GMCP_ENVELOPE_REASON_URI_NOT_STRING, fields_[kFieldUri].start);
    }
    if (method_ == kMethodToolsCall) fields_[GMCP_ENVELOPE_FIELD_TOOL_NAME] = fields_[kFieldName];
    if (method_ == kMethodPromptsGet) fields_[GMCP_ENVELOPE_FIELD_PROMPT_NAME] = fields_[kFieldName];
    if (method_ == kMethodResource) fields_[GMCP_ENVELOPE_FIELD_RESOURCE_URI] = fields_[kFieldUri];
    kind = has(kKeyId) ? GMCP_ENVELOPE_KIND_REQUEST : GMCP_ENVELOPE_KIND_NOTIFICATION;
  } else {
    if (has(kKeyParams)) return fail(GMCP_ENVELOPE_REASON_PARAMS_WITHOUT_METHOD, fields_[GMCP_ENVELOPE_FIELD_PARAMS].start);
    if (has(kKeyResult) && has(kKeyError)) return fail(GMCP_ENVELOPE_REASON_RESULT_AND_ERROR, top_offset);
    if (!has(kKeyResult) && !has(kKeyError)) return fail(GMCP_ENVELOPE_REASON_NO_METHOD_RESULT_OR_ERROR, top_offset);
    if (!has(kKeyId)) return fail(GMCP_ENVELOPE_REASON_ID_MISSING, top_offset);
    if (has(kKeyResult) && id_null) return fail(GMCP_ENVELOPE_REASON_ID_NULL_NOT_ALLOWED, id_offset);
    kind = has(kKeyResult) ? GMCP_ENVELOPE_KIND_RESULT : GMCP_ENVELOPE_KIND_ERROR;
  }
  write(out, GMCP_ENVELOPE_STATUS_OK, kind, -1, GMCP_ENVELOPE_REASON_NONE, true);
}

void Scanner::run(uint32_t max_size, int32_t *out) noexcept {
  if (static_cast<size_t>(end_ - begin_) > max_size) {
    return write(out, GMCP_ENVELOPE_STATUS_SIZE_LIMIT, 0, static_cast<int32_t>(max_size),
                 GMCP_ENVELOPE_REASON_SIZE_LIMIT, false);
  }
  const uint8_t *top = skip_space(begin_);
  const uint8_t *p;
  if (top == end_) {
    p = unexpected_end();
  } else if (*top == '{') {
    p = context_object(top, 1, 1);
  } else if (*top == '[') {
    p = batch(top);
  } else {
    p = value(top, 0);
  }
  if (p != nullptr) {
    p = skip_space(p);
    if (p != end_) p = parse_error(GMCP_ENVELOPE_REASON_TRAILING_DATA, p);
  }
  if (p == nullptr) return write(out, status_, 0, offset_, reason_, false);
  finish(top, out);
}

}  // namespace

void scan(const uint8_t *bytes, size_t length, uint32_t max_depth, uint32_t max_size, int32_t *out) noexcept {
  static const uint8_t kEmpty = 0;
  Scanner scanner(bytes == nullptr ? &kEmpty : bytes, bytes == nullptr ? 0 : length, max_depth);
  scanner.run(max_size, out);
}

}  // namespace envelope
}  // namespace gmcp
