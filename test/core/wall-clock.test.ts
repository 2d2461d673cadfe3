/** Long wall-time caps share one sweep over a linked list of deadlines (src/core/wall-clock.ts). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The sweep's interval lives in module state: each test gets a fresh module under fake timers.
let watchDeadline: typeof import('../../src/core/wall-clock.js').watchDeadline;

describe('shared deadline sweep', () => {
  beforeEach(async () => {
    vi.useFakeTimers();
    vi.resetModules();
    ({ watchDeadline } = await import('../../src/core/wall-clock.js'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires each due cap once, in any order of adding and cancelling, and never a cancelled one', () => {
    const fired: string[] = [];
    const cancel: Record<string, () => void> = {};
    for (const [name, ms] of [['a', 61_000], ['b', 62_000], ['c', 61_500], ['d', 90_000], ['e', 61_000]] as const) {
      cancel[name] = watchDeadline(ms, () => fired.push(name));
    }
    cancel.c!(); // from the middle of the list
    cancel.e!(); // the head (added last)
    cancel.e!(); // twice is harmless
    vi.advanceTimersByTime(60_500);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(2_000);
    expect(fired.sort()).toEqual(['a', 'b']);
    cancel.a!(); // after it fired: harmless
    vi.advanceTimersByTime(30_000);
    expect(fired.sort()).toEqual(['a', 'b', 'd']);
    // A watch added after others were taken out still fires.
    watchDeadline(60_000, () => fired.push('f'));
    vi.advanceTimersByTime(61_000);
    expect(fired).toContain('f');
    expect(fired).toHaveLength(4);
  });

  it('a cap that fires may cancel another due cap: that one does not fire', () => {
    const fired: string[] = [];
    const cancelVictim = watchDeadline(60_000, () => fired.push('victim'));
    // Added last, so walked first: it fires first and cancels the other.
    watchDeadline(60_000, () => {
      fired.push('canceller');
      cancelVictim();
    });
    vi.advanceTimersByTime(61_000);
    expect(fired).toEqual(['canceller']);
  });
});
