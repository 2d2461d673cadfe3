/**
 * The sessions and long-term memory part of the Store contract, run by both
 * backends from storeContract: owner scoping, the claim's version check, the
 * lease, atomic appends, full-text recall and the per-owner cap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/core/messages.js';
import type { Store } from '../../src/store/types.js';
import type { StoreOpener } from './contract.js';

const msgs = (...texts: string[]): Message[] => texts.map((t, i) => (i % 2 ? { role: 'assistant', content: t } : { role: 'user', content: t }));

export function sessionContract(newLocation: () => Promise<StoreOpener>): void {
  describe('sessions', () => {
    const opened: Store[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const openTwo = async (): Promise<[Store, Store]> => {
      const open = await newLocation();
      const a = await open();
      const b = await open();
      opened.push(a, b);
      return [a, b];
    };

    it('a claim creates the session; appends keep order and round-trip every message shape', async () => {
      const [store] = await openTwo();
      const { claimed } = await store.claimSession('u1', 'chat', 'run-a', 60_000);
      expect(claimed).toMatchObject({ owner: 'u1', sessionId: 'chat', version: 1, messageCount: 0, holder: 'run-a' });
      const turn: Message[] = [
        { role: 'user', content: 'Where is order 1042? — 你好 🧾 "q" \\ \u0000' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_order', arguments: '{"order_id":"1042"}' }] },
        { role: 'tool', toolCallId: 'c1', toolName: 'get_order', content: '{"status":"shipped"}', isError: false },
      ];
      const v2 = await store.appendSession('u1', 'chat', { holder: 'run-a', version: 1, leaseMs: 60_000 }, turn);
      expect(v2).toBe(2);
      expect(await store.appendSession('u1', 'chat', { holder: 'run-a', version: 2, leaseMs: 60_000 }, msgs('x', 'It is shipped.').slice(1), { text: 's', covered: 1 })).toBe(3);
      expect(await store.sessionMessages('u1', 'chat')).toStrictEqual([...turn, { role: 'assistant', content: 'It is shipped.' }]);
      expect(await store.getSession('u1', 'chat')).toMatchObject({ version: 3, messageCount: 4, summary: { text: 's', covered: 1 } });
    });

    it('one owner never reaches another owner\'s session of the same id', async () => {
      const [store] = await openTwo();
      const { claimed } = await store.claimSession('alice', 'chat-7', 'r1', 60_000);
      await store.appendSession('alice', 'chat-7', { holder: 'r1', version: claimed!.version, leaseMs: 60_000 }, msgs('alice secret'));
      expect(await store.sessionMessages('bob', 'chat-7')).toEqual([]);
      expect(await store.getSession('bob', 'chat-7')).toBeUndefined();
      expect((await store.listSessions('bob')).map((s) => s.sessionId)).toEqual([]);
      expect(await store.deleteSession('bob', 'chat-7')).toBe(false);
      expect(await store.sessionMessages('alice', 'chat-7')).toEqual(msgs('alice secret'));
      expect((await store.listSessions()).map((s) => s.owner)).toEqual(['alice']);
    });

    it('of two claimants of a free session from two connections exactly one wins; the other sees the holder', async () => {
      const [a, b] = await openTwo();
      for (let round = 0; round < 10; round++) {
        const id = `race-${round}`;
        const [x, y] = await Promise.all([a.claimSession('u', id, 'run-x', 60_000), b.claimSession('u', id, 'run-y', 60_000)]);
        const winners = [x, y].filter((r) => r.claimed);
        expect(winners).toHaveLength(1);
        const loser = x.claimed ? y : x;
        expect(loser.current.holder).toBe(x.claimed ? 'run-x' : 'run-y');
      }
    });

    it('a write with a stale version or by a non-holder changes nothing; release frees the session', async () => {
      const [a, b] = await openTwo();
      const { claimed } = await a.claimSession('u', 's', 'run-a', 60_000);
      expect((await b.claimSession('u', 's', 'run-b', 60_000)).claimed).toBeUndefined();
      expect(await b.appendSession('u', 's', { holder: 'run-b', version: claimed!.version, leaseMs: 60_000 }, msgs('intruder'))).toBeUndefined();
      expect(await a.appendSession('u', 's', { holder: 'run-a', version: claimed!.version - 1, leaseMs: 60_000 }, msgs('stale'))).toBeUndefined();
      expect(await a.sessionMessages('u', 's')).toEqual([]);
      await b.releaseSession('u', 's', 'run-b'); // not the holder: nothing happens
      expect((await b.claimSession('u', 's', 'run-b', 60_000)).claimed).toBeUndefined();
      await a.releaseSession('u', 's', 'run-a');
      const second = await b.claimSession('u', 's', 'run-b', 60_000);
      expect(second.claimed).toMatchObject({ holder: 'run-b', version: claimed!.version + 1 });
      // The first holder's lease is gone: its late write is refused.
      expect(await a.appendSession('u', 's', { holder: 'run-a', version: claimed!.version, leaseMs: 60_000 }, msgs('late'))).toBeUndefined();
    });

    it('a lapsed lease (a killed holder) can be taken over, and the old holder can no longer write', async () => {
      const [a, b] = await openTwo();
      const { claimed } = await a.claimSession('u', 'lapse', 'dead-run', 30);
      await new Promise((r) => setTimeout(r, 60));
      const taken = await b.claimSession('u', 'lapse', 'live-run', 60_000);
      expect(taken.claimed?.holder).toBe('live-run');
      expect(await a.appendSession('u', 'lapse', { holder: 'dead-run', version: claimed!.version, leaseMs: 30 }, msgs('zombie'))).toBeUndefined();
    });

    it('delete removes the session and its messages', async () => {
      const [store] = await openTwo();
      const { claimed } = await store.claimSession('u', 'gone', 'r', 60_000);
      await store.appendSession('u', 'gone', { holder: 'r', version: claimed!.version, leaseMs: 60_000 }, msgs('a', 'b'));
      expect(await store.deleteSession('u', 'gone')).toBe(true);
      expect(await store.getSession('u', 'gone')).toBeUndefined();
      expect(await store.sessionMessages('u', 'gone')).toEqual([]);
    });
  });

  describe('long-term memory', () => {
    const opened: Store[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const fresh = async (): Promise<Store> => {
      const s = await (await newLocation())();
      opened.push(s);
      return s;
    };

    it('recalls an owner\'s facts by full-text search, best match first, never another owner\'s', async () => {
      const store = await fresh();
      await store.addMemory('alice', 'Alice prefers deliveries on Saturday mornings', 10);
      await store.addMemory('alice', 'Alice is allergic to peanuts', 10);
      await store.addMemory('bob', 'Bob prefers deliveries to his office', 10);
      const found = await store.searchMemories('alice', 'when should deliveries arrive?', 5);
      expect(found.map((m) => m.content)).toEqual(['Alice prefers deliveries on Saturday mornings']);
      expect(found[0]).toMatchObject({ owner: 'alice' });
      expect((await store.searchMemories('bob', 'peanuts', 5))).toEqual([]);
      // Search syntax in a query is just words.
      expect((await store.searchMemories('alice', 'peanuts" OR owner:* & | !', 5)).map((m) => m.content)).toEqual(['Alice is allergic to peanuts']);
      expect(await store.searchMemories('alice', '  ?! ', 5)).toEqual([]);
    });

    it('stops at the cap per owner, also when saves race', async () => {
      const store = await fresh();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.addMemory('carol', `fact number ${i}`, 5)));
      expect(results.filter(Boolean)).toHaveLength(5);
      expect(await store.countMemories('carol')).toBe(5);
      expect(await store.addMemory('dave', 'another owner has room', 5)).toBeDefined();
    });
  });
}
