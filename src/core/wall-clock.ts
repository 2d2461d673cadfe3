/**
 * Wall-time caps of many concurrent runs with few timers. A run's own
 * setTimeout costs an allocation and a timer-list insert and removal per run;
 * caps of a minute or more (the default is 15 minutes) are instead checked by
 * one shared, unref'd sweep each second, so they fire at most a second late.
 * Shorter caps, where a second matters, keep a timer of their own.
 */
const SWEEP_EVERY_MS = 1_000;
const OWN_TIMER_BELOW_MS = 60_000;

interface Watch {
  deadline: number;
  fire: () => void;
}

const watched = new Set<Watch>();
let sweeper: NodeJS.Timeout | undefined;

/** Calls `fire` once `ms` have passed, unless the returned cancel function runs first. */
export function watchDeadline(ms: number, fire: () => void): () => void {
  if (ms < OWN_TIMER_BELOW_MS) {
    const timer = setTimeout(fire, ms);
    timer.unref();
    return () => clearTimeout(timer);
  }
  const watch: Watch = { deadline: Date.now() + ms, fire };
  watched.add(watch);
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_EVERY_MS);
    sweeper.unref();
  }
  return () => void watched.delete(watch);
}

function sweep(): void {
  const now = Date.now();
  for (const watch of watched) {
    if (watch.deadline > now) continue;
    watched.delete(watch);
    watch.fire();
  }
}
