/**
 * The four rate-limit algorithms as functions of (parameters, one key's state, cost): the twin of
 * native/src/ratelimit_algorithms.hpp, with the same floating-point operations in the same order
 * (so results agree bit for bit with the library, built with -ffp-contract=off).
 */

/** Algorithm codes (GMCP_RATELIMIT_*). */
export const Algorithm = { TOKEN_BUCKET: 1, SLIDING_WINDOW: 2, FIXED_WINDOW: 3, LEAKY_BUCKET: 4 } as const;

/** Decision modes (GMCP_RATELIMIT_CHECK / TAKE / REFUND). */
export const Mode = { CHECK: 0, TAKE: 1, REFUND: 2 } as const;

/** Bucket levels are kept in micro-units: one token (or one unit of cost) is 1e6. */
export const MICRO = 1e6;

/** The immutable parameters of a table's algorithm. */
export interface Params {
  readonly algorithm: number;
  /** Capacity (buckets) or limit per window (windows): an integer. */
  readonly limit: number;
  /** Buckets: limit * 1e6. */
  readonly limitMicro: number;
  /** Buckets: rate per second * 1000 = micro-units refilled (or leaked) per ms. */
  readonly perMs: number;
  /** Windows: the window length. */
  readonly windowMs: number;
  /** Sliding window: limit * windowMs. */
  readonly limitWindow: number;
}

/** One key's state, unpacked (buckets use `level`, windows `current` / `previous`). */
export interface State {
  time: number;
  level: number;
  current: number;
  previous: number;
}

/** Where a decision is written (1/0, whole units left, retry-after ms). */
export interface DecisionOut {
  allowed: number;
  remaining: number;
  retryAfterMs: number;
}

/** floor(a / b) for integer-valued numbers, exact (the quotient may round up; correct it). */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q -= 1;
  return q;
}

/** Whole units of a micro-unit amount, floored. */
function wholeUnits(micro: number): number {
  return floorDiv(micro, MICRO);
}

/** Sets `s` to a new key's state at t. */
export function freshState(p: Params, s: State, t: number): void {
  s.time = t;
  s.level = p.algorithm === Algorithm.TOKEN_BUCKET ? p.limitMicro : 0;
  s.current = 0;
  s.previous = 0;
}

/** Brings a state forward to t (t >= s.time): refill, leak, or roll the windows. */
export function advance(p: Params, s: State, t: number): void {
  const elapsed = t - s.time;
  if (p.algorithm === Algorithm.TOKEN_BUCKET) {
    if (elapsed > 0) {
      const filled = s.level + elapsed * p.perMs;
      s.level = filled < p.limitMicro ? filled : p.limitMicro;
    }
  } else if (p.algorithm === Algorithm.LEAKY_BUCKET) {
    if (elapsed > 0) {
      const drained = s.level - elapsed * p.perMs;
      s.level = drained > 0 ? drained : 0;
    }
  } else {
    const windowNow = floorDiv(t, p.windowMs);
    const windowThen = floorDiv(s.time, p.windowMs);
    if (windowNow === windowThen + 1) {
      s.previous = s.current;
      s.current = 0;
    } else if (windowNow !== windowThen) {
      s.previous = 0;
      s.current = 0;
    }
  }
  s.time = t;
}

function set(out: DecisionOut, allowed: number, remaining: number, retryAfterMs: number): void {
  out.allowed = allowed;
  out.remaining = remaining;
  out.retryAfterMs = retryAfterMs;
}

function decideTokenBucket(p: Params, s: State, cost: number, out: DecisionOut): void {
  const costMicro = cost * MICRO;
  if (cost > p.limit) return set(out, 0, wholeUnits(s.level), -1);
  if (s.level >= costMicro) {
    s.level -= costMicro;
    return set(out, 1, wholeUnits(s.level), 0);
  }
  // The smallest whole d >= 1 with level + d * perMs >= cost (the quotient may be off by one).
  let retry = Math.ceil((costMicro - s.level) / p.perMs);
  if (retry < 1) retry = 1;
  if (s.level + retry * p.perMs < costMicro) retry += 1;
  if (retry > 1 && s.level + (retry - 1) * p.perMs >= costMicro) retry -= 1;
  set(out, 0, wholeUnits(s.level), retry);
}

/** Whether cost fits under the capacity once the level has leaked for ms milliseconds. */
function fitsAfterLeak(p: Params, level: number, ms: number, costMicro: number): boolean {
  const drained = level - ms * p.perMs;
  return (drained > 0 ? drained : 0) + costMicro <= p.limitMicro;
}

function decideLeakyBucket(p: Params, s: State, cost: number, out: DecisionOut): void {
  const costMicro = cost * MICRO;
  if (cost > p.limit) return set(out, 0, wholeUnits(p.limitMicro - s.level), -1);
  if (s.level + costMicro <= p.limitMicro) {
    s.level += costMicro;
    return set(out, 1, wholeUnits(p.limitMicro - s.level), 0);
  }
  // The smallest whole d >= 1 with max(0, level - d * perMs) + cost <= capacity.
  let retry = Math.ceil((s.level + costMicro - p.limitMicro) / p.perMs);
  if (retry < 1) retry = 1;
  if (!fitsAfterLeak(p, s.level, retry, costMicro)) retry += 1;
  if (retry > 1 && fitsAfterLeak(p, s.level, retry - 1, costMicro)) retry -= 1;
  set(out, 0, wholeUnits(p.limitMicro - s.level), retry);
}

function decideFixedWindow(p: Params, s: State, cost: number, out: DecisionOut): void {
  const count = s.current;
  if (cost > p.limit) return set(out, 0, p.limit - count, -1);
  if (count + cost <= p.limit) {
    s.current = count + cost;
    return set(out, 1, p.limit - (count + cost), 0);
  }
  const windowEnd = (floorDiv(s.time, p.windowMs) + 1) * p.windowMs;
  set(out, 0, p.limit - count, windowEnd - s.time);
}

function decideSlidingWindow(p: Params, s: State, cost: number, out: DecisionOut): void {
  const w = p.windowMs;
  const elapsed = s.time - floorDiv(s.time, w) * w;
  const previous = s.previous;
  const weighted = previous * (w - elapsed);
  let current = s.current;
  let allowed = 0;
  let retry = -1;
  if (cost <= p.limit) {
    if (current + cost <= p.limit) {
      const room = p.limitWindow - (current + cost) * w;
      if (weighted <= room) {
        current += cost;
        s.current = current;
        allowed = 1;
        retry = 0;
      } else {
        retry = w - floorDiv(room, previous) - elapsed;
      }
    } else {
      let next = w - floorDiv((p.limit - cost) * w, current);
      if (next < 0) next = 0;
      retry = w - elapsed + next;
    }
  }
  let left = floorDiv(p.limitWindow - weighted - current * w, w);
  if (left < 0) left = 0;
  set(out, allowed, left, retry);
}

/** Decides at the state's time (already advanced) and charges when allowed. */
export function decide(p: Params, s: State, cost: number, out: DecisionOut): void {
  switch (p.algorithm) {
    case Algorithm.TOKEN_BUCKET:
      return decideTokenBucket(p, s, cost, out);
    case Algorithm.LEAKY_BUCKET:
      return decideLeakyBucket(p, s, cost, out);
    case Algorithm.FIXED_WINDOW:
      return decideFixedWindow(p, s, cost, out);
    default:
      return decideSlidingWindow(p, s, cost, out);
  }
}

/** Gives cost back (state already advanced), never past the bounds. */
export function refund(p: Params, s: State, cost: number): void {
  if (p.algorithm === Algorithm.TOKEN_BUCKET) {
    const filled = s.level + cost * MICRO;
    s.level = filled < p.limitMicro ? filled : p.limitMicro;
  } else if (p.algorithm === Algorithm.LEAKY_BUCKET) {
    const drained = s.level - cost * MICRO;
    s.level = drained > 0 ? drained : 0;
  } else {
    s.current = s.current > cost ? s.current - cost : 0;
  }
}

/** The time after which any state has become a new key's state (the default idle timeout). */
export function defaultIdleTimeout(p: Params): number {
  if (p.algorithm === Algorithm.TOKEN_BUCKET || p.algorithm === Algorithm.LEAKY_BUCKET) {
    let ms = Math.ceil(p.limitMicro / p.perMs);
    if (ms * p.perMs < p.limitMicro) ms += 1;
    return ms;
  }
  return p.algorithm === Algorithm.FIXED_WINDOW ? p.windowMs : 2 * p.windowMs;
}
