import { checkAmount, checkCounterCount, checkIndex, closedError } from './errors.js';
import type { CounterSet } from './types.js';

/** A {@link CounterSet} of the TypeScript twin over a Float64Array. */
export class JsCounterSet implements CounterSet {
  readonly size: number;
  private values: Float64Array | null;

  constructor(size: number) {
    checkCounterCount(size);
    this.size = size;
    this.values = new Float64Array(size);
  }

  get closed(): boolean {
    return this.values === null;
  }

  add(index: number, amount = 1): void {
    const values = this.open();
    checkIndex(index, this.size);
    checkAmount(amount);
    values[index] = (values[index] as number) + amount;
  }

  get(index: number): number {
    const values = this.open();
    checkIndex(index, this.size);
    return values[index] as number;
  }

  snapshot(): number[] {
    return Array.from(this.open());
  }

  reset(): void {
    this.open().fill(0);
  }

  close(): void {
    this.values = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private open(): Float64Array {
    if (this.values === null) throw closedError('counters');
    return this.values;
  }
}
