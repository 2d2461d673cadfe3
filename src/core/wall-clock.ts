/**
 * Wall-time caps of many concurrent runs with few timers. A run's own
 * setTimeout costs an allocation and a timer-list insert and removal per run;
 * caps of a minute or more (the default is 15 minutes) are instead checked by
 * one shared, unref'd sweep each second, so they fire at most a second late.
 * Shorter caps, where a second matters, keep a timer of their own.
 */
const SWEEP_EVERY_MS = 1_000;
const OWN_TIMER_BELOW_MS = 60_000;

/**
 * A watched deadline, linked into one list: adding and removing one is a
 * pointer swap, where a Set holding every concurrent run grows, shrinks and
 * rehashes as runs come and go.
 */
class Watch {
  prev: Watch | undefined = undefined;
  next: Watch | undefined = undefined;
  constructor(
    readonly deadline: number,
    readonly fire: () => void,
  ) {}
}

/**
 * The list starts at a sentinel that never fires: it spares the list's ends
 * their special cases (and keeps one Watch alive between bursts of runs;
 * docs/bench.md says what that is worth).
 */
const sentinel = new Watch(Infinity, () => {});
let sweeper: NodeJS.Timeout | undefined;

/** Calls `fire` once `ms` have passed, unless the returned cancel function runs first. */
export function watchDeadline(ms: number, fire: () => void): () => void {
  if (ms < OWN_TIMER_BELOW_MS) {
    const timer = setTimeout(fire, ms);
    timer.unref();
    return () => clearTimeout(timer);
  }
  const watch = new Watch(Date.now() + ms, fire);
  link(watch);
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_EVERY_MS);
    sweeper.unref();
  }
  return () => void unlink(watch);
}

function link(watch: Watch): void {
  const first = sentinel.next;
  watch.prev = sentinel;
  watch.next = first;
  if (first) first.prev = watch;
  sentinel.next = watch;
}

/** Takes the watch out of the list; false when it was already out (fired or cancelled). */
function unlink(watch: Watch): boolean {
  const { prev, next } = watch;
  if (!prev) return false;
  prev.next = next;
  if (next) next.prev = prev;
  watch.prev = watch.next = undefined;
  return true;
}

function sweep(): void {
  const now = Date.now();
  let due: Watch[] | undefined;
  for (let watch = sentinel.next; watch; watch = watch.next) if (watch.deadline <= now) (due ??= []).push(watch);
  // Fired after the walk: a cap that fires may end runs whose watches are further down the list.
  if (due) for (const watch of due) if (unlink(watch)) watch.fire();
}
