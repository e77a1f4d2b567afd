import { checkAmount, checkCounterCount, checkIndex, closedError } from './errors.js';
import type { MetricsBindings } from './native-bindings.js';
import type { CounterSet } from './types.js';

/**
 * A {@link CounterSet} owning a native `gmcp_counter_set`. `add` and `get` read and write the
 * library's live array through a view (a koffi call per add would cost far more than the add);
 * `snapshot` and `reset` call the library.
 */
export class NativeCounterSet implements CounterSet {
  readonly size: number;
  private handle: bigint | null;
  private readonly values: Float64Array;
  /** Out-parameter of gmcp_counters_snapshot (allocating typed arrays per call is slow). */
  private readonly snapshotOut: Float64Array;

  constructor(
    private readonly b: MetricsBindings,
    size: number,
  ) {
    checkCounterCount(size);
    this.size = size;
    b.library.check(b.countersCreate(size, b.pointerOut), 'counters create');
    const handle = b.pointerOut[0] as bigint;
    this.handle = handle;
    b.countersRegistry.register(this, handle, this);
    const status = b.countersValues(handle, b.pointerOut);
    if (status !== 0) {
      this.close();
      b.library.check(status, 'counters values');
    }
    this.values = new Float64Array(b.library.koffi.view(b.pointerOut[0] as bigint, size * 8));
    this.snapshotOut = new Float64Array(size);
  }

  get closed(): boolean {
    return this.handle === null;
  }

  add(index: number, amount = 1): void {
    if (this.handle === null) throw closedError('counters');
    checkIndex(index, this.size);
    checkAmount(amount);
    this.values[index] = (this.values[index] as number) + amount;
  }

  get(index: number): number {
    if (this.handle === null) throw closedError('counters');
    checkIndex(index, this.size);
    return this.values[index] as number;
  }

  snapshot(): number[] {
    const handle = this.open();
    const out = this.snapshotOut;
    this.b.library.check(this.b.countersSnapshot(handle, out, out.length), 'counters snapshot');
    return Array.from(out);
  }

  reset(): void {
    this.b.library.check(this.b.countersReset(this.open()), 'counters reset');
  }

  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    this.b.countersRegistry.unregister(this);
    this.b.countersFree(handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private open(): bigint {
    if (this.handle === null) throw closedError('counters');
    return this.handle;
  }
}
