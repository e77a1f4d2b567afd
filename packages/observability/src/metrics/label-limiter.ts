/** The label value that label values beyond a limiter's capacity fold into. */
export const OTHER_LABEL = 'other';

/**
 * Bounds the cardinality of one label: the first `max` distinct values pass as they are, later new
 * ones become `other`. Peers choose method and tool names, so without this a client could create
 * unbounded time series.
 */
export class LabelLimiter {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  /** The label value for `value` (`''`, Prometheus's "absent", for undefined). */
  value(value: string | undefined): string {
    if (value === undefined) return '';
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }

  /** Distinct values admitted so far. */
  get size(): number {
    return this.seen.size;
  }
}
