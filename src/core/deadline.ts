/** A time limit on one piece of work (a tool call, a parallel branch). */
import { TimeoutError } from './errors.js';

/**
 * Settles like `work`, unless `ms` pass first: then `onTimeout` gets the
 * TimeoutError (to cancel the work it belongs to) and the promise rejects with it.
 */
export function withDeadline<T>(work: T | PromiseLike<T>, ms: number, what: string, onTimeout?: (err: TimeoutError) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new TimeoutError(what, ms);
      onTimeout?.(err);
      reject(err);
    }, ms);
    Promise.resolve(work).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
