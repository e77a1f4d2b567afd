/** A typed key into an {@link AttributeBag}; made once by the filter that owns the data. */
export interface AttributeKey<T> {
  readonly name: string;
  /** Phantom field carrying the value type; never set. */
  readonly __type?: T;
}

/** Creates a typed attribute key. Two keys with the same name are still different keys. */
export function attributeKey<T>(name: string): AttributeKey<T> {
  return Object.freeze({ name }) as AttributeKey<T>;
}

/** Typed data filters pass to the filters after them within one exchange. */
export class AttributeBag {
  // The first two attributes live in fields (most exchanges carry none to two: the challenge and
  // the consumed headers of authentication); a Map is made only for a third.
  private key0: AttributeKey<unknown> | undefined;
  private value0: unknown;
  private key1: AttributeKey<unknown> | undefined;
  private value1: unknown;
  private more: Map<AttributeKey<unknown>, unknown> | undefined;

  get<T>(key: AttributeKey<T>): T | undefined {
    if (this.key0 === key) return this.value0 as T;
    if (this.key1 === key) return this.value1 as T;
    return this.more?.get(key as AttributeKey<unknown>) as T | undefined;
  }

  set<T>(key: AttributeKey<T>, value: T): void {
    const k = key as AttributeKey<unknown>;
    if (this.key0 === k || (this.key0 === undefined && !this.inOther(k, 0))) {
      this.key0 = k;
      this.value0 = value;
    } else if (this.key1 === k || (this.key1 === undefined && !this.inOther(k, 1))) {
      this.key1 = k;
      this.value1 = value;
    } else {
      this.more ??= new Map();
      this.more.set(k, value);
    }
  }

  has(key: AttributeKey<unknown>): boolean {
    return this.key0 === key || this.key1 === key || (this.more?.has(key) ?? false);
  }

  delete(key: AttributeKey<unknown>): boolean {
    if (this.key0 === key) {
      this.key0 = undefined;
      this.value0 = undefined;
      return true;
    }
    if (this.key1 === key) {
      this.key1 = undefined;
      this.value1 = undefined;
      return true;
    }
    return this.more?.delete(key) ?? false;
  }

  /** Whether `key` is held somewhere other than inline slot `slot` (so a free slot must not take it). */
  private inOther(key: AttributeKey<unknown>, slot: 0 | 1): boolean {
    if (slot === 0 && this.key1 === key) return true;
    return this.more?.has(key) ?? false;
  }
}
