// The four rate-limit algorithms as pure functions of (parameters, one key's state, t, cost).
// Every floating-point operation here is mirrored, in the same order, by the TypeScript twin
// (src/engine/ratelimit/algorithms.ts); the library is built with -ffp-contract=off so no
// multiply-add is fused and both agree bit for bit.
#pragma once

#include <cmath>
#include <cstdint>

#include "gopher_mcp_c.h"

namespace gmcp::ratelimit {

/** Bucket levels are kept in micro-units: one token (or one unit of cost) is 1e6. */
constexpr double kMicro = 1e6;

/** The immutable parameters of a table's algorithm, derived once from its options. */
struct Params {
  uint32_t algorithm;   // GMCP_RATELIMIT_*
  double limit;         // capacity (buckets) or limit per window (windows): an integer
  double limit_micro;   // buckets: limit * 1e6
  double per_ms;        // buckets: rate_per_second * 1000 = micro-units refilled (or leaked) per ms
  double window_ms;     // windows: the window length W
  double limit_window;  // sliding window: limit * W
};

/** The counts of the window algorithms. */
struct WindowCounts {
  uint32_t current;   // cost counted in the current window
  uint32_t previous;  // sliding window: cost counted in the previous window
};

/**
 * One key's state (16 bytes): the time it was last brought up to date and the algorithm's value
 * (one table uses one member of the union only).
 */
struct State {
  double time;
  union {
    double level;         // token bucket: tokens (micro); leaky bucket: water level (micro)
    WindowCounts counts;  // fixed and sliding windows
  } value;
};

/** What a decision returns: allowed (1/0), whole units remaining, retry-after in ms. */
struct Decision {
  double allowed;
  double remaining;
  double retry_after_ms;
};

/** floor(a / b) for integer-valued doubles, exact (the quotient may round up; correct it). */
inline double floor_div(double a, double b) noexcept {
  double q = std::floor(a / b);
  if (q * b > a) q -= 1;
  return q;
}

/** Whole micro-units, floored: floor(level / 1e6), exact. */
inline double whole_units(double micro) noexcept { return floor_div(micro, kMicro); }

/** A new key's state at t. */
inline State fresh_state(const Params &p, double t) noexcept {
  State s{};
  s.time = t;
  if (p.algorithm == GMCP_RATELIMIT_TOKEN_BUCKET) {
    s.value.level = p.limit_micro;
  } else if (p.algorithm == GMCP_RATELIMIT_LEAKY_BUCKET) {
    s.value.level = 0.0;
  } else {
    s.value.counts = WindowCounts{0, 0};
  }
  return s;
}

/** Brings a state forward to t (t >= s.time): refill, leak, or roll the windows. */
inline void advance(const Params &p, State &s, double t) noexcept {
  const double elapsed = t - s.time;
  switch (p.algorithm) {
    case GMCP_RATELIMIT_TOKEN_BUCKET:
      if (elapsed > 0) {
        const double filled = s.value.level + elapsed * p.per_ms;
        s.value.level = filled < p.limit_micro ? filled : p.limit_micro;
      }
      break;
    case GMCP_RATELIMIT_LEAKY_BUCKET:
      if (elapsed > 0) {
        const double drained = s.value.level - elapsed * p.per_ms;
        s.value.level = drained > 0 ? drained : 0.0;
      }
      break;
    default: {
      const double window_now = floor_div(t, p.window_ms);
      const double window_then = floor_div(s.time, p.window_ms);
      if (window_now == window_then + 1) {
        s.value.counts.previous = s.value.counts.current;
        s.value.counts.current = 0;
      } else if (window_now != window_then) {
        s.value.counts.previous = 0;
        s.value.counts.current = 0;
      }
      break;
    }
  }
  s.time = t;
}

/** Token bucket: allowed when the bucket holds cost tokens. */
inline Decision decide_token_bucket(const Params &p, State &s, double cost) noexcept {
  const double cost_micro = cost * kMicro;
  if (cost > p.limit) return Decision{0, whole_units(s.value.level), -1};
  if (s.value.level >= cost_micro) {
    s.value.level -= cost_micro;
    return Decision{1, whole_units(s.value.level), 0};
  }
  // The smallest whole d >= 1 with level + d * per_ms >= cost (the quotient may be off by one).
  double retry = std::ceil((cost_micro - s.value.level) / p.per_ms);
  if (retry < 1) retry = 1;
  if (s.value.level + retry * p.per_ms < cost_micro) retry += 1;
  if (retry > 1 && s.value.level + (retry - 1) * p.per_ms >= cost_micro) retry -= 1;
  return Decision{0, whole_units(s.value.level), retry};
}

/** Whether cost fits under the capacity once the level has leaked for ms milliseconds. */
inline bool fits_after_leak(const Params &p, double level, double ms, double cost_micro) noexcept {
  const double drained = level - ms * p.per_ms;
  return (drained > 0 ? drained : 0.0) + cost_micro <= p.limit_micro;
}

/** Leaky bucket (meter): allowed when cost fits above the water level. */
inline Decision decide_leaky_bucket(const Params &p, State &s, double cost) noexcept {
  const double cost_micro = cost * kMicro;
  if (cost > p.limit) return Decision{0, whole_units(p.limit_micro - s.value.level), -1};
  if (s.value.level + cost_micro <= p.limit_micro) {
    s.value.level += cost_micro;
    return Decision{1, whole_units(p.limit_micro - s.value.level), 0};
  }
  // The smallest whole d >= 1 with max(0, level - d * per_ms) + cost <= capacity.
  double retry = std::ceil((s.value.level + cost_micro - p.limit_micro) / p.per_ms);
  if (retry < 1) retry = 1;
  if (!fits_after_leak(p, s.value.level, retry, cost_micro)) retry += 1;
  if (retry > 1 && fits_after_leak(p, s.value.level, retry - 1, cost_micro)) retry -= 1;
  return Decision{0, whole_units(p.limit_micro - s.value.level), retry};
}

/** Fixed window: allowed when the current window's count plus cost stays within the limit. */
inline Decision decide_fixed_window(const Params &p, State &s, double cost) noexcept {
  const double count = s.value.counts.current;
  if (cost > p.limit) return Decision{0, p.limit - count, -1};
  if (count + cost <= p.limit) {
    s.value.counts.current = static_cast<uint32_t>(count + cost);
    return Decision{1, p.limit - (count + cost), 0};
  }
  const double window_end = (floor_div(s.time, p.window_ms) + 1) * p.window_ms;
  return Decision{0, p.limit - count, window_end - s.time};
}

/**
 * Sliding window counter: the previous window's count weighted by the part of it still inside
 * the sliding window, plus the current count, in exact integers scaled by W:
 * previous * (W - e) + current * W <= limit * W, with e the time elapsed in the current window.
 */
inline Decision decide_sliding_window(const Params &p, State &s, double cost) noexcept {
  const double w = p.window_ms;
  const double elapsed = s.time - floor_div(s.time, w) * w;
  const double previous = s.value.counts.previous;
  const double weighted = previous * (w - elapsed);
  double current = s.value.counts.current;
  double allowed = 0;
  double retry = -1;
  if (cost <= p.limit) {
    if (current + cost <= p.limit) {
      const double room = p.limit_window - (current + cost) * w;
      if (weighted <= room) {
        current += cost;
        s.value.counts.current = static_cast<uint32_t>(current);
        allowed = 1;
        retry = 0;
      } else {
        retry = w - floor_div(room, previous) - elapsed;
      }
    } else {
      double next = w - floor_div((p.limit - cost) * w, current);
      if (next < 0) next = 0;
      retry = w - elapsed + next;
    }
  }
  double left = floor_div(p.limit_window - weighted - current * w, w);
  if (left < 0) left = 0;
  return Decision{allowed, left, retry};
}

/** Decides at t (already advanced) and charges when allowed. */
inline Decision decide(const Params &p, State &s, double cost) noexcept {
  switch (p.algorithm) {
    case GMCP_RATELIMIT_TOKEN_BUCKET: return decide_token_bucket(p, s, cost);
    case GMCP_RATELIMIT_LEAKY_BUCKET: return decide_leaky_bucket(p, s, cost);
    case GMCP_RATELIMIT_FIXED_WINDOW: return decide_fixed_window(p, s, cost);
    default: return decide_sliding_window(p, s, cost);
  }
}

/** Gives cost back (already advanced): to the bucket, or off the current window's count, never past the bounds. */
inline void refund(const Params &p, State &s, double cost) noexcept {
  switch (p.algorithm) {
    case GMCP_RATELIMIT_TOKEN_BUCKET: {
      const double filled = s.value.level + cost * kMicro;
      s.value.level = filled < p.limit_micro ? filled : p.limit_micro;
      break;
    }
    case GMCP_RATELIMIT_LEAKY_BUCKET: {
      const double drained = s.value.level - cost * kMicro;
      s.value.level = drained > 0 ? drained : 0.0;
      break;
    }
    default: {
      const double current = s.value.counts.current;
      s.value.counts.current = current > cost ? static_cast<uint32_t>(current - cost) : 0;
      break;
    }
  }
}

/**
 * The default idle timeout: the time after which any state has become a new key's state (a full
 * bucket, an empty meter, a new window), so evicting an idle key never changes a decision.
 */
inline double default_idle_timeout(const Params &p) noexcept {
  switch (p.algorithm) {
    case GMCP_RATELIMIT_TOKEN_BUCKET:
    case GMCP_RATELIMIT_LEAKY_BUCKET: {
      double ms = std::ceil(p.limit_micro / p.per_ms);
      if (ms * p.per_ms < p.limit_micro) ms += 1;
      return ms;
    }
    case GMCP_RATELIMIT_FIXED_WINDOW: return p.window_ms;
    default: return 2 * p.window_ms;
  }
}

}  // namespace gmcp::ratelimit
