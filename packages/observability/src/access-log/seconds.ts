/**
 * nginx's `$request_time` of a duration in ms: seconds with 3 decimals, exactly
 * `(round3(ms) / 1000).toFixed(3)` (round3: to the microsecond, as the JSON record has it), from
 * integer arithmetic on the common path (about half the cost of `toFixed`). Negative, huge and
 * half-millisecond values (where `toFixed` rounds by the binary value) take `toFixed` itself.
 */
export function secondsText(durationMs: number): string {
  const micros = Math.round(durationMs * 1000);
  if (!(micros >= 0 && micros < 1e15) || micros % 1000 === 500) return (micros / 1000 / 1000).toFixed(3);
  const ms = Math.round(micros / 1000);
  const whole = Math.floor(ms / 1000);
  const frac = ms - whole * 1000;
  return `${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}
