const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Common Log Format time of a clock time (ms since the epoch), in UTC: `10/Oct/2000:13:55:36 +0000`. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/**
 * {@link clfTime} formatted once per second: the format has one-second resolution, so every record
 * of the same second (of the chain's clock) shares the string.
 */
export class ClfTimeCache {
  private second = Number.NaN;
  private text = '';

  /** The CLF time of `ms` (ms since the epoch). */
  of(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.text = clfTime(second * 1000);
      this.second = second;
    }
    return this.text;
  }
}
