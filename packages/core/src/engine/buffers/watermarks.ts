import type { PooledBuffer, WatermarkCrossing, WatermarkListener } from './types.js';

/** `GMCP_WATERMARK_*` codes as crossings: 0 none, 1 high, 2 low. */
export function crossingFromCode(code: number): WatermarkCrossing | null {
  return code === 1 ? 'high' : code === 2 ? 'low' : null;
}

/**
 * The watermark rule both engines apply after `add`, `commit`, `drain` and `setWatermarks`:
 * `high` when not above and `length > high > 0`; `low` when above and `high == 0 || length <= low`.
 */
export function nextCrossing(length: number, low: number, high: number, aboveHigh: boolean): WatermarkCrossing | null {
  if (!aboveHigh && high > 0 && length > high) return 'high';
  if (aboveHigh && (high === 0 || length <= low)) return 'low';
  return null;
}

/** Calls the listener (if any) with a crossing (if any) and returns the crossing. */
export function notifyCrossing(
  crossing: WatermarkCrossing | null,
  listener: WatermarkListener | undefined,
  buffer: PooledBuffer,
): WatermarkCrossing | null {
  if (crossing !== null && listener !== undefined) listener(crossing, buffer);
  return crossing;
}
