/** The decision part of the Store contract in memory, for unit tests of consume(). */
import type { DeadLetter, DecisionRecord } from '../../src/store/types.js';
import type { EventStore } from '../../src/events/consume.js';

export class FakeEventStore implements EventStore {
  readonly decisions = new Map<string, DecisionRecord>();
  readonly deadLetters: DeadLetter[] = [];
  /** Decisions offered, stored or not (to see races). */
  recordCalls = 0;
  failReads = 0;

  async getDecision(consumer: string, eventId: string) {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('store unavailable');
    }
    return this.decisions.get(`${consumer}\u0000${eventId}`);
  }
  async recordDecision(consumer: string, eventId: string, decision: unknown) {
    this.recordCalls++;
    const key = `${consumer}\u0000${eventId}`;
    if (this.decisions.has(key)) return false;
    this.decisions.set(key, { consumer, eventId, decision, decidedAt: Date.now() });
    return true;
  }
  async putDeadLetter(letter: DeadLetter) {
    this.deadLetters.push(letter);
  }
}
