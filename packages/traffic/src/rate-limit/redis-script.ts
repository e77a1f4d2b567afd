import { createHash } from 'node:crypto';

/**
 * The one Lua script of a Redis rate-limit decision. It charges `cost` to every key in KEYS
 * when each of their limits allows it, else to none (atomic: Redis runs a script alone), at the
 * Redis server's time (TIME inside the script). The algorithms are those of the engine's tables
 * (packages/core/src/engine/ratelimit), the same operations in the same order on doubles, state
 * kept as text with 17 significant digits so it round-trips exactly.
 *
 * KEYS[i]: the state key of charge i.
 * ARGV[1]: '' for the server's time, or a clock value in ms (tests only).
 * ARGV[2]: cost (integer).
 * ARGV[3 + 4(i-1) ..]: algorithm (1 token bucket, 2 sliding window, 3 fixed window, 4 leaky bucket),
 *   limit (bucket capacity or window limit), per-ms rate in micro-units (buckets) or window ms
 *   (windows), and the key's time to live in ms (its idle time: after it, the state is a new key's).
 * Returns { allowed (1/0), then per key: allowed, remaining, retry_after_ms (-1 never) }.
 */
export const RATE_LIMIT_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local MICRO = 1000000
local function floor_div(a, b)
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 end
  return q
end
local function whole(micro) return floor_div(micro, MICRO) end
local now
if ARGV[1] ~= '' then
  now = math.floor(tonumber(ARGV[1]))
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cost = tonumber(ARGV[2])
local all = 1
local out = { 0 }
local writes = {}
for i = 1, #KEYS do
  local base = 3 + (i - 1) * 4
  local algo = tonumber(ARGV[base])
  local limit = tonumber(ARGV[base + 1])
  local param = tonumber(ARGV[base + 2])
  local ttl = ARGV[base + 3]
  local raw = redis.call('GET', KEYS[i])
  local time, a, b
  if raw then
    local t1, v1, v2 = string.match(raw, '^(%S+) (%S+) (%S+)$')
    time = tonumber(t1); a = tonumber(v1); b = tonumber(v2)
  end
  local allowed, remaining, retry
  if algo == 1 or algo == 4 then
    local per_ms = param
    local limit_micro = limit * MICRO
    local t = now
    if time == nil then
      time = t
      if algo == 1 then a = limit_micro else a = 0 end
    elseif time > t then
      t = time
    end
    local elapsed = t - time
    local level = a
    if algo == 1 then
      if elapsed > 0 then
        local filled = level + elapsed * per_ms
        if filled < limit_micro then level = filled else level = limit_micro end
      end
      local cost_micro = cost * MICRO
      if cost > limit then
        allowed = 0; remaining = whole(level); retry = -1
      elseif level >= cost_micro then
        level = level - cost_micro
        allowed = 1; remaining = whole(level); retry = 0
      else
        retry = math.ceil((cost_micro - level) / per_ms)
        if level + retry * per_ms < cost_micro then retry = retry + 1 end
        allowed = 0; remaining = whole(level)
      end
    else
      if elapsed > 0 then
        local drained = level - elapsed * per_ms
        if drained > 0 then level = drained else level = 0 end
      end
      local cost_micro = cost * MICRO
      if cost > limit then
        allowed = 0; remaining = whole(limit_micro - level); retry = -1
      elseif level + cost_micro <= limit_micro then
        level = level + cost_micro
        allowed = 1; remaining = whole(limit_micro - level); retry = 0
      else
        retry = math.ceil((level + cost_micro - limit_micro) / per_ms)
        local drained = level - retry * per_ms
        if drained < 0 then drained = 0 end
        if drained + cost_micro > limit_micro then retry = retry + 1 end
        allowed = 0; remaining = whole(limit_micro - level)
      end
    end
    writes[i] = string.format('%d %.17g 0', t, level)
  else
    local w = param
    local t = now
    local current, previous
    if time == nil then
      time = t; current = 0; previous = 0
    else
      current = a; previous = b
      if time > t then t = time end
    end
    local window_now = floor_div(t, w)
    local window_then = floor_div(time, w)
    if window_now == window_then + 1 then
      previous = current; current = 0
    elseif window_now ~= window_then then
      previous = 0; current = 0
    end
    if algo == 3 then
      local count = current
      if cost > limit then
        allowed = 0; remaining = limit - count; retry = -1
      elseif count + cost <= limit then
        current = count + cost
        allowed = 1; remaining = limit - current; retry = 0
      else
        allowed = 0; remaining = limit - count; retry = (floor_div(t, w) + 1) * w - t
      end
    else
      local limit_window = limit * w
      local elapsed = t - floor_div(t, w) * w
      local weighted = previous * (w - elapsed)
      allowed = 0; retry = -1
      if cost <= limit then
        if current + cost <= limit then
          local room = limit_window - (current + cost) * w
          if weighted <= room then
            current = current + cost
            allowed = 1; retry = 0
          else
            retry = w - floor_div(room, previous) - elapsed
          end
        else
          local nxt = w - floor_div((limit - cost) * w, current)
          if nxt < 0 then nxt = 0 end
          retry = w - elapsed + nxt
        end
      end
      remaining = floor_div(limit_window - weighted - current * w, w)
      if remaining < 0 then remaining = 0 end
    end
    writes[i] = string.format('%d %d %d', t, current, previous)
  end
  if allowed == 0 then all = 0 end
  out[#out + 1] = allowed
  out[#out + 1] = remaining
  out[#out + 1] = retry
  writes[i] = { writes[i], ttl }
end
if all == 1 then
  for i = 1, #KEYS do
    redis.call('SET', KEYS[i], writes[i][1], 'PX', writes[i][2])
  end
end
out[1] = all
return out
`;

/** SHA-1 of {@link RATE_LIMIT_SCRIPT}, for EVALSHA. */
export const RATE_LIMIT_SCRIPT_SHA = createHash('sha1').update(RATE_LIMIT_SCRIPT).digest('hex');
