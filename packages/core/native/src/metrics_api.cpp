// The C ABI of the metrics section: argument checks and exception guards around Histogram and
// the counter set.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "common.hpp"
#include "metrics_histogram.hpp"

using gmcp::fail;
using gmcp::guarded;
using gmcp::metrics::Histogram;
using gmcp::metrics::Layout;

struct gmcp_histogram {
  gmcp_histogram(const Layout &layout, std::vector<double> bounds) : histogram(layout, std::move(bounds)) {}
  Histogram histogram;
};

struct gmcp_counter_set {
  explicit gmcp_counter_set(size_t count) : values(count, 0.0) {}
  std::vector<double> values;
};

namespace {

constexpr size_t kMaxBuckets = size_t{1} << 24;
constexpr size_t kMaxCounters = size_t{1} << 20;

bool valid_value(double value) { return value >= 0 && value <= std::numeric_limits<double>::max(); }

int biased_exponent(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return static_cast<int>((bits >> 52) & 0x7ff);
}

}  // namespace

extern "C" {

gmcp_status gmcp_histogram_create(uint32_t significant_digits, double lowest, double highest, const double *bounds,
                                  size_t bound_count, gmcp_histogram **out_histogram) {
  if (out_histogram == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram create: out_histogram is NULL");
  *out_histogram = nullptr;
  if (significant_digits < 1 || significant_digits > 5) {
    return fail(GMCP_E_INVALID_ARGUMENT, "histogram create: significantDigits must be 1..5");
  }
  const double min_range = gmcp::metrics::power_of_two(-1000);
  const double max_range = gmcp::metrics::power_of_two(1000);
  if (!(lowest >= min_range && lowest <= highest && highest <= max_range)) {
    return fail(GMCP_E_INVALID_ARGUMENT, "histogram create: need 2^-1000 <= lowest <= highest <= 2^1000");
  }
  if (bound_count > GMCP_HISTOGRAM_MAX_BOUNDS) return fail(GMCP_E_INVALID_ARGUMENT, "histogram create: at most 1024 bounds");
  if (bounds == nullptr && bound_count != 0) return fail(GMCP_E_INVALID_ARGUMENT, "histogram create: bounds is NULL");
  for (size_t i = 0; i < bound_count; ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
      return fail(GMCP_E_INVALID_ARGUMENT, "histogram create: bounds must be finite and strictly increasing");
    }
  }
  Layout layout{gmcp::metrics::sub_bits_for_digits(significant_digits), biased_exponent(lowest), biased_exponent(highest), 0};
  const size_t powers = static_cast<size_t>(layout.high_biased - layout.low_biased + 1);
  if (powers > (kMaxBuckets - 2) >> layout.sub_bits) {
    return fail(GMCP_E_INVALID_ARGUMENT, "histogram create: more than 2^24 buckets (narrow the range or the digits)");
  }
  layout.buckets = 2 + (powers << layout.sub_bits);
  return guarded([&] {
    std::vector<double> copy(bounds, bounds + bound_count);
    for (double &bound : copy) bound = bound + 0.0;  // -0 as 0
    *out_histogram = new gmcp_histogram(layout, std::move(copy));
    return GMCP_OK;
  });
}

void gmcp_histogram_free(gmcp_histogram *histogram) { delete histogram; }

gmcp_status gmcp_histogram_record(gmcp_histogram *histogram, double value) {
  if (histogram == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram record: histogram is NULL");
  if (!valid_value(value)) return fail(GMCP_E_INVALID_ARGUMENT, "histogram record: a value must be finite and >= 0");
  histogram->histogram.record(value);
  return GMCP_OK;
}

gmcp_status gmcp_histogram_record_many(gmcp_histogram *histogram, const double *values, size_t count) {
  if (histogram == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram record many: histogram is NULL");
  if (values == nullptr && count != 0) return fail(GMCP_E_INVALID_ARGUMENT, "histogram record many: values is NULL");
  for (size_t i = 0; i < count; ++i) {
    if (!valid_value(values[i])) return fail(GMCP_E_INVALID_ARGUMENT, "histogram record many: a value must be finite and >= 0");
  }
  Histogram &h = histogram->histogram;
  for (size_t i = 0; i < count; ++i) h.record(values[i]);
  return GMCP_OK;
}

gmcp_status gmcp_histogram_summary(const gmcp_histogram *histogram, double *out_summary) {
  if (histogram == nullptr || out_summary == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram summary: NULL argument");
  const Histogram &h = histogram->histogram;
  out_summary[0] = static_cast<double>(h.count());
  out_summary[1] = h.sum();
  out_summary[2] = h.min();
  out_summary[3] = h.max();
  out_summary[4] = static_cast<double>(h.nonempty());
  return GMCP_OK;
}

gmcp_status gmcp_histogram_quantile(const gmcp_histogram *histogram, double q, double *out_value) {
  if (histogram == nullptr || out_value == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram quantile: NULL argument");
  if (!(q >= 0 && q <= 1)) return fail(GMCP_E_INVALID_ARGUMENT, "histogram quantile: q must be in [0, 1]");
  *out_value = histogram->histogram.quantile(q);
  return GMCP_OK;
}

gmcp_status gmcp_histogram_buckets(const gmcp_histogram *histogram, double *out_triples, size_t capacity) {
  if (histogram == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram buckets: histogram is NULL");
  const Histogram &h = histogram->histogram;
  if (h.nonempty() * 3 > capacity) return fail(GMCP_E_LIMIT, "histogram buckets: the output is too small");
  if (out_triples == nullptr && h.nonempty() != 0) return fail(GMCP_E_INVALID_ARGUMENT, "histogram buckets: out is NULL");
  size_t at = 0;
  const std::vector<uint64_t> &counts = h.counts();
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    h.edges(i, &out_triples[at], &out_triples[at + 1]);
    out_triples[at + 2] = static_cast<double>(counts[i]);
    at += 3;
  }
  return GMCP_OK;
}

gmcp_status gmcp_histogram_bound_counts(const gmcp_histogram *histogram, double *out_counts, size_t capacity) {
  if (histogram == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram bound counts: histogram is NULL");
  const std::vector<uint64_t> &counts = histogram->histogram.bound_counts();
  if (counts.size() > capacity) return fail(GMCP_E_LIMIT, "histogram bound counts: the output is too small");
  if (out_counts == nullptr && !counts.empty()) return fail(GMCP_E_INVALID_ARGUMENT, "histogram bound counts: out is NULL");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    out_counts[i] = static_cast<double>(cumulative);
  }
  return GMCP_OK;
}

gmcp_status gmcp_histogram_merge(gmcp_histogram *histogram, const gmcp_histogram *other) {
  if (histogram == nullptr || other == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram merge: NULL argument");
  if (!histogram->histogram.compatible(other->histogram)) {
    return fail(GMCP_E_INVALID_ARGUMENT, "histogram merge: the histograms differ in digits, range or bounds");
  }
  histogram->histogram.merge(other->histogram);
  return GMCP_OK;
}

gmcp_status gmcp_histogram_reset(gmcp_histogram *histogram) {
  if (histogram == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "histogram reset: histogram is NULL");
  histogram->histogram.reset();
  return GMCP_OK;
}

gmcp_status gmcp_counters_create(size_t count, gmcp_counter_set **out_set) {
  if (out_set == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "counters create: out_set is NULL");
  *out_set = nullptr;
  if (count < 1 || count > kMaxCounters) return fail(GMCP_E_INVALID_ARGUMENT, "counters create: count must be 1..2^20");
  return guarded([&] {
    *out_set = new gmcp_counter_set(count);
    return GMCP_OK;
  });
}

void gmcp_counters_free(gmcp_counter_set *set) { delete set; }

gmcp_status gmcp_counters_add(gmcp_counter_set *set, size_t index, double amount) {
  if (set == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "counters add: set is NULL");
  if (index >= set->values.size()) return fail(GMCP_E_INVALID_ARGUMENT, "counters add: index out of range");
  if (!valid_value(amount)) return fail(GMCP_E_INVALID_ARGUMENT, "counters add: amount must be finite and >= 0");
  set->values[index] += amount;
  return GMCP_OK;
}

gmcp_status gmcp_counters_get(const gmcp_counter_set *set, size_t index, double *out_value) {
  if (set == nullptr || out_value == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "counters get: NULL argument");
  if (index >= set->values.size()) return fail(GMCP_E_INVALID_ARGUMENT, "counters get: index out of range");
  *out_value = set->values[index];
  return GMCP_OK;
}

gmcp_status gmcp_counters_values(gmcp_counter_set *set, double **out_values) {
  if (set == nullptr || out_values == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "counters values: NULL argument");
  *out_values = set->values.data();
  return GMCP_OK;
}

gmcp_status gmcp_counters_snapshot(const gmcp_counter_set *set, double *out_values, size_t capacity) {
  if (set == nullptr || out_values == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "counters snapshot: NULL argument");
  if (capacity < set->values.size()) return fail(GMCP_E_LIMIT, "counters snapshot: the output is too small");
  std::memcpy(out_values, set->values.data(), set->values.size() * sizeof(double));
  return GMCP_OK;
}

gmcp_status gmcp_counters_reset(gmcp_counter_set *set) {
  if (set == nullptr) return fail(GMCP_E_INVALID_ARGUMENT, "counters reset: set is NULL");
  std::fill(set->values.begin(), set->values.end(), 0.0);
  return GMCP_OK;
}
}
