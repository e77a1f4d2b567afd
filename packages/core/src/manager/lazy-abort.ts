/**
 * An abort controller made only when someone reads its signal: most exchanges end without any
 * filter looking at `context.signal`, and an AbortController is one of the dearest objects of an
 * exchange.
 */
export class LazyAbort {
  private controller: AbortController | undefined;
  private reason: unknown;
  private isAborted = false;

  /** The signal (aborted already if {@link abort} came first). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.isAborted;
  }

  /** Aborts (once). */
  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
