/** The CLI's sessions: `run <example> --session` continues a conversation; `sessions list | show | delete`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ap-sessions-cli-'));
const store = join(dir, 'state.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('agent-patterns sessions', () => {
  it('run order-support --session continues the conversation; list, show and delete it, per owner', async () => {
    const first = await cli('run', 'order-support', '--session', 'chat-1', '--store', store, '--input', 'Where is order 1042?');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('session: chat-1 (owner local)');
    const second = await cli('run', 'order-support', '--session', 'chat-1', '--store', store, '--input', 'And when will it arrive?');
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain('scripted model'); // the follow-up answer is the scripted model's, and says so
    expect(second.out).toContain('Order 1042 should arrive on 2026-06-01 (it is shipped with DHL).');

    // Another owner's session of the same id is a different conversation.
    const other = await cli('run', 'order-support', '--session', 'chat-1', '--owner', 'someone-else', '--store', store, '--input', 'And when will it arrive?');
    expect(other.out).toContain('opened ticket');

    const list = await cli('sessions', 'list', '--store', store, '--json');
    expect(JSON.parse(list.out)).toMatchObject([{ owner: 'local', sessionId: 'chat-1', messageCount: 8 }]);
    const all = await cli('sessions', 'list', '--all-owners', '--store', store);
    expect(all.out).toMatch(/someone-else\s+chat-1/);

    const show = await cli('sessions', 'show', 'chat-1', '--store', store);
    expect(show.code).toBe(0);
    expect(show.out).toContain('user: Where is order 1042?');
    expect(show.out).toContain('assistant → get_order({"order_id":"1042"})');
    expect(show.out).toContain('assistant: Order 1042 should arrive on 2026-06-01');
    expect((await cli('sessions', 'show', 'chat-1', '--owner', 'nobody', '--store', store)).code).toBe(1);

    expect((await cli('sessions', 'delete', 'chat-1', '--store', store)).out).toContain('deleted session chat-1');
    expect((await cli('sessions', 'show', 'chat-1', '--store', store)).err).toContain('no session chat-1');
    expect(JSON.parse((await cli('sessions', 'list', '--store', store, '--owner', 'someone-else', '--json')).out)).toHaveLength(1);
  });

  it('a session with an example that is not a single agent fails with a clear error', async () => {
    const r = await cli('run', 'contract-review', '--session', 'x', '--store', store);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not an Agent/);
  });
});
