// The C ABI of the ratelimit section: argument checks and exception guards around Table.
#include <cmath>
#include <cstring>

#include "common.hpp"
#include "ratelimit_hash.hpp"
#include "ratelimit_table.hpp"

using gmcp::fail;
using gmcp::guarded;
using gmcp::ratelimit::Decision;
using gmcp::ratelimit::Params;
using gmcp::ratelimit::Table;
using gmcp::ratelimit::TableOptions;

struct gmcp_ratelimit_table {
  explicit gmcp_ratelimit_table(const TableOptions &options) : table(options) {}
  Table table;
  gmcp_ratelimit_io io{};
};

namespace {

constexpr double kMaxCost = 4294967295.0;            // 2^32 - 1
constexpr double kMaxClock = 4503599627370496.0;     // 2^52
constexpr double kMaxWindow = 1099511627776.0;       // 2^40
constexpr double kMaxMaxKeys = 268435456.0;          // 2^28

bool is_integer_in(double value, double low, double high) {
  return std::isfinite(value) && std::floor(value) == value && value >= low && value <= high;
}

/** Validates the per-call arguments shared by every decision entry point. */
gmcp_status check_call(uint32_t mode, double now_ms, double cost) {
  if (mode > GMCP_RATELIMIT_REFUND) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit: mode must be CHECK, TAKE or REFUND");
  if (!(now_ms >= 0 && now_ms <= kMaxClock)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit: now must be a number of ms in [0, 2^52]");
  if (!is_integer_in(cost, 0, kMaxCost)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit: cost must be an integer in [0, 2^32-1]");
  return GMCP_OK;
}

gmcp_status decide(gmcp_ratelimit_table *handle, uint32_t mode, const uint8_t *key, size_t key_length,
                   double now_ms, double cost, double *out) {
  const gmcp_status status = check_call(mode, now_ms, cost);
  if (status != GMCP_OK) return status;
  if (key == nullptr && key_length != 0) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit: key is NULL");
  static const uint8_t empty = 0;
  const uint64_t hash = gmcp::ratelimit::key_hash(handle->table.hash_key(), key == nullptr ? &empty : key, key_length);
  return guarded([&] {
    const Decision d = handle->table.decide(mode, hash, now_ms, cost);
    if (out != nullptr) {
      out[0] = d.allowed;
      out[1] = d.remaining;
      out[2] = d.retry_after_ms;
    }
    return GMCP_OK;
  });
}

}  // namespace

extern "C" {

gmcp_status gmcp_ratelimit_create(uint32_t algorithm, double limit, double rate_per_second, double window_ms,
                                  double max_keys, double idle_timeout_ms, const uint8_t *hash_key,
                                  gmcp_ratelimit_table **out_table) {
  if (out_table == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: out_table is NULL");
  *out_table = nullptr;
  if (hash_key == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: hash_key is NULL");
  if (algorithm < GMCP_RATELIMIT_TOKEN_BUCKET || algorithm > GMCP_RATELIMIT_LEAKY_BUCKET) {
    return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: unknown algorithm");
  }
  if (!is_integer_in(limit, 1, kMaxCost)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: limit must be an integer in [1, 2^32-1]");
  if (!is_integer_in(max_keys, 1, kMaxMaxKeys)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: maxKeys must be an integer in [1, 2^28]");
  if (!(std::isfinite(idle_timeout_ms) && (idle_timeout_ms < 0 || std::floor(idle_timeout_ms) == idle_timeout_ms))) {
    return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: idleTimeoutMs must be an integer >= 0");
  }
  const bool bucket = algorithm == GMCP_RATELIMIT_TOKEN_BUCKET || algorithm == GMCP_RATELIMIT_LEAKY_BUCKET;
  Params params{algorithm, limit, 0, 0, 0, 0};
  if (bucket) {
    if (!(rate_per_second >= 1e-9 && rate_per_second <= 1e12)) {
      return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: rate per second must be in [1e-9, 1e12]");
    }
    params.limit_micro = limit * gmcp::ratelimit::kMicro;
    params.per_ms = rate_per_second * 1000;
  } else {
    if (!is_integer_in(window_ms, 1, kMaxWindow)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: windowMs must be an integer in [1, 2^40]");
    if (!(limit * window_ms <= kMaxClock)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit create: limit * windowMs must be <= 2^52");
    params.window_ms = window_ms;
    params.limit_window = limit * window_ms;
  }
  TableOptions options{params, static_cast<uint32_t>(max_keys), 0, {}};
  options.idle_timeout_ms = idle_timeout_ms < 0 ? gmcp::ratelimit::default_idle_timeout(params) : idle_timeout_ms;
  std::memcpy(options.hash_key, hash_key, sizeof options.hash_key);
  return guarded([&] {
    *out_table = new gmcp_ratelimit_table(options);
    return GMCP_OK;
  });
}

void gmcp_ratelimit_free(gmcp_ratelimit_table *table) { delete table; }

gmcp_status gmcp_ratelimit_decide(gmcp_ratelimit_table *table, uint32_t mode, const uint8_t *key, size_t key_length,
                                  double now_ms, double cost, double *out_decision) {
  if (table == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit decide: table is NULL");
  if (out_decision == nullptr && mode != GMCP_RATELIMIT_REFUND) {
    return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit decide: out_decision is NULL");
  }
  return decide(table, mode, key, key_length, now_ms, cost, out_decision);
}

gmcp_status gmcp_ratelimit_io_block(gmcp_ratelimit_table *table, gmcp_ratelimit_io **out_io) {
  if (table == nullptr || out_io == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit io block: NULL argument");
  *out_io = &table->io;
  return GMCP_OK;
}

gmcp_status gmcp_ratelimit_decide_io(gmcp_ratelimit_table *table) {
  if (table == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit decide io: table is NULL");
  gmcp_ratelimit_io &io = table->io;
  if (!is_integer_in(io.key_length, 0, GMCP_RATELIMIT_IO_KEY_CAPACITY)) {
    return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit decide io: key_length out of range");
  }
  if (!is_integer_in(io.mode, 0, GMCP_RATELIMIT_REFUND)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit: mode must be CHECK, TAKE or REFUND");
  return decide(table, static_cast<uint32_t>(io.mode), io.key, static_cast<size_t>(io.key_length), io.now_ms, io.cost,
                &io.allowed);
}

gmcp_status gmcp_ratelimit_decide_io_string(gmcp_ratelimit_table *table, const char *key) {
  if (table == nullptr || key == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit decide io string: NULL argument");
  gmcp_ratelimit_io &io = table->io;
  if (!is_integer_in(io.mode, 0, GMCP_RATELIMIT_REFUND)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit: mode must be CHECK, TAKE or REFUND");
  // Count the UTF-16 code units the bytes stand for (a 4-byte sequence is a surrogate pair).
  const uint8_t *bytes = reinterpret_cast<const uint8_t *>(key);
  size_t length = 0;
  size_t units = 0;
  for (uint8_t b = bytes[0]; b != 0; b = bytes[++length]) units += ((b & 0xc0) != 0x80) + (b >= 0xf0);
  if (static_cast<double>(units) != io.key_length) {
    io.allowed = -1;
    return GMCP_OK;
  }
  return decide(table, static_cast<uint32_t>(io.mode), bytes, length, io.now_ms, io.cost, &io.allowed);
}

gmcp_status gmcp_ratelimit_reset_key(gmcp_ratelimit_table *table, const uint8_t *key, size_t key_length,
                                     int32_t *out_removed) {
  if (table == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit reset: table is NULL");
  if (key == nullptr && key_length != 0) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit reset: key is NULL");
  static const uint8_t empty = 0;
  const uint64_t hash = gmcp::ratelimit::key_hash(table->table.hash_key(), key == nullptr ? &empty : key, key_length);
  const bool removed = table->table.remove_key(hash);
  if (out_removed != nullptr) *out_removed = removed ? 1 : 0;
  return GMCP_OK;
}

gmcp_status gmcp_ratelimit_clear(gmcp_ratelimit_table *table) {
  if (table == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit clear: table is NULL");
  return guarded([&] {
    table->table.clear();
    return GMCP_OK;
  });
}

gmcp_status gmcp_ratelimit_prune(gmcp_ratelimit_table *table, double now_ms, double *out_evicted) {
  if (table == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit prune: table is NULL");
  if (!(now_ms >= 0 && now_ms <= kMaxClock)) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit: now must be a number of ms in [0, 2^52]");
  const double evicted = table->table.prune(now_ms);
  if (out_evicted != nullptr) *out_evicted = evicted;
  return GMCP_OK;
}

gmcp_status gmcp_ratelimit_stats(const gmcp_ratelimit_table *table, double *out_stats) {
  if (table == nullptr || out_stats == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit stats: NULL argument");
  const gmcp::ratelimit::TableStats s = table->table.stats();
  const double values[7] = {s.keys, s.evictions, s.expired, s.allowed, s.denied,
                            s.memory_bytes + static_cast<double>(sizeof(gmcp_ratelimit_io)), s.idle_timeout_ms};
  std::memcpy(out_stats, values, sizeof values);
  return GMCP_OK;
}

gmcp_status gmcp_ratelimit_hash_key(const uint8_t *hash_key, const uint8_t *key, size_t key_length, uint32_t *out_hash) {
  if (hash_key == nullptr || out_hash == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit hash: NULL argument");
  if (key == nullptr && key_length != 0) return fail(GMCP_E_INVALID_ARGUMENT, "ratelimit hash: key is NULL");
  static const uint8_t empty = 0;
  const uint64_t hash = gmcp::ratelimit::key_hash(hash_key, key == nullptr ? &empty : key, key_length);
  out_hash[0] = static_cast<uint32_t>(hash);
  out_hash[1] = static_cast<uint32_t>(hash >> 32);
  return GMCP_OK;
}
}
