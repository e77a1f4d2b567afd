/** True when `value` is a promise or a thenable (what `await` would wait for). */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return value instanceof Promise || typeof (value as PromiseLike<T> | undefined)?.then === 'function';
}
