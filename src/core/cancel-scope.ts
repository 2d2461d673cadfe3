/**
 * A cancellation scope: a run's, or one branch of it (a parallel branch, a
 * timed tool call, a decompose level). A plain flag with listeners, whose
 * AbortSignal is made only when something asks for it: a CPU-only run (plain
 * tools, the scripted model without delay) never needs one, and making one
 * costs more than everything else such a run does (docs/bench.md).
 * `run()` aborts the run's scope at the wall-time cap; a branch's scope
 * (`child()`) is aborted with its parent, or alone.
 */
export class CancelScope {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | undefined;
  private listeners: ((reason: unknown) => void)[] | undefined;
  private unlink: (() => void) | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    this.detach();
    this.controller?.abort(this.reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(this.reason);
  }

  /** Calls `listener` on abort (at once if already aborted); returns the unsubscribe. Makes no signal. */
  subscribe(listener: (reason: unknown) => void): () => void {
    if (this.aborted) {
      listener(this.reason);
      return noop;
    }
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
    return () => {
      const list = this.listeners;
      if (list === undefined) return;
      if (list.length === 1) {
        if (list[0] === listener) this.listeners = undefined;
        return;
      }
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** A scope aborted with this one, and abortable alone. `detach()` it once its work has settled. */
  child(): CancelScope {
    const scope = new CancelScope();
    scope.unlink = this.subscribe((reason) => scope.abort(reason));
    return scope;
  }

  /** Aborts this scope when `signal` fires (a caller's signal); `detach()` stops following it. */
  follow(signal: AbortSignal): this {
    if (signal.aborted) {
      this.abort(signal.reason);
      return this;
    }
    const onAbort = () => this.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const previous = this.unlink;
    this.unlink = () => {
      previous?.();
      signal.removeEventListener('abort', onAbort);
    };
    return this;
  }

  /**
   * Settles like `work`, or rejects with `toError(reason)` as soon as this scope is aborted: work
   * that ignores its signal cannot hold its caller. Its late outcome is dropped.
   */
  race<T>(work: Promise<T>, toError: (reason: unknown) => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const off = this.subscribe((reason) => reject(toError(reason)));
      work.then(
        (value) => {
          off();
          resolve(value);
        },
        (err: unknown) => {
          off();
          reject(err);
        },
      );
    });
  }

  /** Stops following the parent scope and any followed signal (the scope's own abort still works). */
  detach(): void {
    const unlink = this.unlink;
    this.unlink = undefined;
    unlink?.();
  }
}

function noop(): void {}
