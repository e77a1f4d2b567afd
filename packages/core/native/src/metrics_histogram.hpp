// A log-linear histogram (HdrHistogram-like, over doubles) with optional exact explicit bounds.
// The TypeScript twin (src/engine/metrics/js-histogram.ts) mirrors every operation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gopher_mcp_c.h"

namespace gmcp::metrics {

/** The bucket layout of a histogram: sub-bucket bits and the biased exponents of its range. */
struct Layout {
  int sub_bits;      // p: 2^p buckets per power of two
  int low_biased;    // biased exponent of lowest (E0 + 1023)
  int high_biased;   // biased exponent of highest (E1 + 1023)
  size_t buckets;    // 2 + (E1 - E0 + 1) * 2^p

  bool operator==(const Layout &other) const noexcept {
    return sub_bits == other.sub_bits && low_biased == other.low_biased && high_biased == other.high_biased;
  }
};

/** Sub-bucket bits for 1..5 significant digits: ceil(digits * log2(10)). */
int sub_bits_for_digits(uint32_t digits) noexcept;

/** 2^exponent, exact, for a normal exponent. */
double power_of_two(int exponent) noexcept;

class Histogram {
 public:
  Histogram(const Layout &layout, std::vector<double> bounds);

  /** Records a valid value (finite, >= 0). */
  void record(double value) noexcept;
  void merge(const Histogram &other) noexcept;
  void reset() noexcept;
  double quantile(double q) const noexcept;
  /** Lower and upper edge of log-linear bucket `index`. */
  void edges(size_t index, double *lower, double *upper) const noexcept;

  bool compatible(const Histogram &other) const noexcept { return layout_ == other.layout_ && bounds_ == other.bounds_; }
  const Layout &layout() const noexcept { return layout_; }
  const std::vector<uint64_t> &counts() const noexcept { return counts_; }
  const std::vector<double> &bounds() const noexcept { return bounds_; }
  const std::vector<uint64_t> &bound_counts() const noexcept { return bound_counts_; }
  uint64_t count() const noexcept { return count_; }
  double sum() const noexcept { return sum_; }
  double min() const noexcept { return count_ == 0 ? 0.0 : min_; }
  double max() const noexcept { return count_ == 0 ? 0.0 : max_; }
  size_t nonempty() const noexcept { return nonempty_; }

 private:
  size_t bucket_of(double value) const noexcept;

  Layout layout_;
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  std::vector<uint64_t> bound_counts_;  // per bound, not cumulative
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_;
  double max_;
  size_t nonempty_ = 0;
};

}  // namespace gmcp::metrics
