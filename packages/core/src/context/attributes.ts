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
  /** Made on first write: most exchanges carry no attributes. */
  private values: Map<AttributeKey<unknown>, unknown> | undefined;

  get<T>(key: AttributeKey<T>): T | undefined {
    return this.values?.get(key as AttributeKey<unknown>) as T | undefined;
  }

  set<T>(key: AttributeKey<T>, value: T): void {
    this.values ??= new Map();
    this.values.set(key as AttributeKey<unknown>, value);
  }

  has(key: AttributeKey<unknown>): boolean {
    return this.values?.has(key) ?? false;
  }

  delete(key: AttributeKey<unknown>): boolean {
    return this.values?.delete(key) ?? false;
  }
}
