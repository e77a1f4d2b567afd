import type { JsSlab } from './js-slab-pool.js';

/** Bytes `[offset, offset + length)` of a slab. */
export interface JsSlice {
  readonly slab: JsSlab;
  offset: number;
  length: number;
}

/** The slices of a JS-twin buffer: an array used as a queue (head index, compacted lazily). */
export class JsSliceList {
  private items: JsSlice[] = [];
  private head = 0;

  /** Number of slices. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** The slice at position `index` (0 = front); the index must be in range. */
  at(index: number): JsSlice {
    return this.items[this.head + index] as JsSlice;
  }

  /** The last slice, if any. */
  back(): JsSlice | undefined {
    return this.head < this.items.length ? this.items[this.items.length - 1] : undefined;
  }

  /** Appends a slice. */
  pushBack(slice: JsSlice): void {
    this.items.push(slice);
  }

  /** Prepends a slice. */
  pushFront(slice: JsSlice): void {
    if (this.head > 0) {
      this.items[--this.head] = slice;
    } else {
      this.items.unshift(slice);
    }
  }

  /** Removes the front slice (the list must not be empty). */
  popFront(): void {
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
