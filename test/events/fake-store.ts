/** The decision part of the Store contract in memory, for unit tests of consume(). */
import type { DeadLetter, DecisionMeta, DecisionRecord } from '../../src/store/types.js';
import type { EventStore } from '../../src/events/consume.js';

export class FakeEventStore implements EventStore {
  readonly decisions = new Map<string, DecisionRecord>();
  readonly deadLetters: DeadLetter[] = [];
  /** Decisions offered, stored or not (to see races). */
  recordCalls = 0;
  failReads = 0;
  failWrites = 0;
  /** What happened, in order ("record e1", "stored e1"), for tests of ack-after-store. */
  readonly log: string[] = [];

  async getDecision(consumer: string, eventId: string) {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('store unavailable');
    }
    return this.decisions.get(`${consumer}\u0000${eventId}`);
  }
  async recordDecision(consumer: string, eventId: string, decision: unknown, meta: DecisionMeta = {}) {
    this.recordCalls++;
    if (this.failWrites > 0) {
      this.failWrites--;
      this.log.push(`record failed ${eventId}`);
      throw new Error('store unavailable');
    }
    const key = `${consumer}\u0000${eventId}`;
    if (this.decisions.has(key)) return false;
    const at = Date.now();
    this.decisions.set(key, { consumer, eventId, decision, decidedAt: at, runId: meta.runId, attempts: meta.attempts, ...(meta.publish ? {} : { publishedAt: at }) });
    this.log.push(`stored ${eventId}`);
    return true;
  }
  async listUnpublished(consumer: string, filter: { limit?: number; decidedBefore?: number } = {}) {
    const before = filter.decidedBefore ?? Date.now();
    return [...this.decisions.values()]
      .filter((d) => d.consumer === consumer && d.publishedAt === undefined && d.decidedAt <= before)
      .slice(0, filter.limit ?? Infinity);
  }
  async markPublished(consumer: string, eventId: string) {
    const d = this.decisions.get(`${consumer}\u0000${eventId}`);
    if (d && d.publishedAt === undefined) d.publishedAt = Date.now();
  }
  async putDeadLetter(letter: DeadLetter) {
    this.deadLetters.push(letter);
  }
}
