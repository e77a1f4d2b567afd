#include "metrics_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace gmcp::metrics {

int sub_bits_for_digits(uint32_t digits) noexcept {
  static const int bits[] = {4, 7, 10, 14, 17};
  return bits[digits - 1];
}

double power_of_two(int exponent) noexcept { return std::ldexp(1.0, exponent); }

Histogram::Histogram(const Layout &layout, std::vector<double> bounds)
    : layout_(layout),
      bounds_(std::move(bounds)),
      counts_(layout.buckets, 0),
      bound_counts_(bounds_.size(), 0),
      min_(std::numeric_limits<double>::infinity()),
      max_(-std::numeric_limits<double>::infinity()) {}

size_t Histogram::bucket_of(double value) const noexcept {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  if (biased < layout_.low_biased) return 0;
  if (biased > layout_.high_biased) return layout_.buckets - 1;
  const uint64_t sub = (bits >> (52 - layout_.sub_bits)) & ((uint64_t{1} << layout_.sub_bits) - 1);
  return 1 + (static_cast<size_t>(biased - layout_.low_biased) << layout_.sub_bits) + static_cast<size_t>(sub);
}

void Histogram::record(double value) noexcept {
  value = value + 0.0;  // -0 counts as 0
  uint64_t &slot = counts_[bucket_of(value)];
  if (slot == 0) nonempty_ += 1;
  slot += 1;
  if (!bounds_.empty()) {
    const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), value);
    if (at != bounds_.end()) bound_counts_[static_cast<size_t>(at - bounds_.begin())] += 1;
  }
  count_ += 1;
  sum_ += value;
  if (value < min_) min_ = value;
  if (value > max_) max_ = value;
}

void Histogram::merge(const Histogram &other) noexcept {
  nonempty_ = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
    if (counts_[i] != 0) nonempty_ += 1;
  }
  for (size_t i = 0; i < bound_counts_.size(); ++i) bound_counts_[i] += other.bound_counts_[i];
  count_ += other.count_;
  sum_ = sum_ + other.sum_;
  if (other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  std::fill(bound_counts_.begin(), bound_counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
  nonempty_ = 0;
}

void Histogram::edges(size_t index, double *lower, double *upper) const noexcept {
  const int low_exponent = layout_.low_biased - 1023;
  const int top_exponent = layout_.high_biased - 1023 + 1;
  if (index == 0) {
    *lower = 0;
    *upper = power_of_two(low_exponent);
    return;
  }
  if (index == layout_.buckets - 1) {
    *lower = power_of_two(top_exponent);
    *upper = std::numeric_limits<double>::infinity();
    return;
  }
  const size_t k = index - 1;
  const double scale = static_cast<double>(uint64_t{1} << layout_.sub_bits);
  const int exponent = low_exponent + static_cast<int>(k >> layout_.sub_bits);
  const double sub = static_cast<double>(k & ((size_t{1} << layout_.sub_bits) - 1));
  *lower = (1 + sub / scale) * power_of_two(exponent);
  *upper = (1 + (sub + 1) / scale) * power_of_two(exponent);
}

double Histogram::quantile(double q) const noexcept {
  if (count_ == 0) return 0;
  if (q == 0) return min_;
  if (q == 1) return max_;
  double rank = std::ceil(q * static_cast<double>(count_));
  if (rank < 1) rank = 1;
  uint64_t cumulative = 0;
  size_t index = 0;
  for (; index < counts_.size(); ++index) {
    cumulative += counts_[index];
    if (static_cast<double>(cumulative) >= rank) break;
  }
  if (index >= layout_.buckets - 1) return max_;
  double lower, upper;
  edges(index, &lower, &upper);
  const double middle = lower + (upper - lower) / 2;
  if (middle < min_) return min_;
  if (middle > max_) return max_;
  return middle;
}

}  // namespace gmcp::metrics
