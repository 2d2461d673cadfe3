/**
 * A durable run started on a real model resumes on that model, not on the scripted one: the run record keeps
 * the model spec (never a key), `resume` uses it and refuses another one unless told, and the printed hints
 * carry the real ids, the store and the model. The provider is a local server speaking Chat Completions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { durableRun, type DurableState } from '../../src/durable/run.js';
import { step } from '../../src/core/step.js';
import { chatJsonReply, completionObject } from '../support/wire/chat-completions.js';
import { wireServerPerTest, type WireRequest } from '../support/wire/server.js';
import { cli } from '../support/cli.js';

const REAL_DRAFT = 'Your refund for order 1045 has been approved and issued (answered by the local test server).';

/** The refund-approval workflow's two prompts, answered as a Chat Completions server would. */
function refundResponder(req: WireRequest) {
  const system = String(req.body.messages?.[0]?.content ?? '');
  if (system.includes('refund operations agent')) {
    return chatJsonReply(completionObject({ text: JSON.stringify({ action: 'approve', rationale: 'Damaged item inside the window (server).' }) }, 'llama3.1'));
  }
  return chatJsonReply(completionObject({ text: REAL_DRAFT }, 'llama3.1'));
}

const serve = wireServerPerTest();
let dir: string;
let store: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'resume-model-'));
  store = join(dir, 'state.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function startOnServer(baseUrl: string) {
  const started = await cli('run', 'refund-approval', '--durable', '--json', '--store', store, '--model', 'openai-compatible:llama3.1', '--base-url', baseUrl);
  expect(started.err).toBe('');
  expect(started.code).toBe(0);
  return JSON.parse(started.out) as {
    runId: string; status: string; model: string; scripted: boolean;
    pending: { approvalId: string; reviewer: string }[]; next: { decide: string[]; resume: string };
  };
}

describe('resume on the model the run started with', () => {
  it('records the model, prints runnable hints, and resumes on the same real model', async () => {
    const server = await serve(refundResponder);
    const baseUrl = `${server.origin}/v1`;
    const run = await startOnServer(baseUrl);
    expect(run.status).toBe('suspended');
    expect(run).toMatchObject({ model: 'openai-compatible:llama3.1', scripted: false });
    const [approval] = run.pending;
    expect(run.next.decide).toEqual([`npx agent-patterns approvals approve ${approval!.approvalId} --reviewer ${approval!.reviewer} --store ${store}`]);
    expect(run.next.resume).toBe(`npx agent-patterns resume ${run.runId} --model openai-compatible:llama3.1 --base-url ${baseUrl} --store ${store}`);

    const s = await openStore(store);
    expect(((await s.getRun(run.runId))!.state as DurableState).model).toEqual({ spec: 'openai-compatible:llama3.1', baseUrl });
    await s.close();

    const approved = await cli('approvals', 'approve', approval!.approvalId, '--reviewer', approval!.reviewer, '--store', store);
    expect(approved.code).toBe(0);
    expect(approved.out).toContain(run.next.resume);

    // The hint as printed, minus "npx agent-patterns": no --model needed either (the record has it).
    const resumed = await cli('resume', run.runId, '--store', store);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('[model: openai-compatible:llama3.1]');
    expect(resumed.out).not.toContain('scripted');
    expect(resumed.out).toContain(REAL_DRAFT);
    expect(server.requests).toHaveLength(2); // recommend before the approval, the draft after it: both on the server
  });

  it('refuses to resume on another model unless --override-model says so', async () => {
    const server = await serve(refundResponder);
    const run = await startOnServer(`${server.origin}/v1`);
    const [approval] = run.pending;
    await cli('approvals', 'approve', approval!.approvalId, '--reviewer', approval!.reviewer, '--store', store);

    const refused = await cli('resume', run.runId, '--store', store, '--model', 'scripted');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`run ${run.runId} started on openai-compatible:llama3.1 at ${server.origin}/v1`);
    expect(refused.err).toContain('--override-model');
    expect(server.requests).toHaveLength(1);

    const overridden = await cli('resume', run.runId, '--store', store, '--model', 'scripted', '--override-model');
    expect(overridden.code).toBe(0);
    expect(overridden.out).toContain('scripted model');
    expect(server.requests).toHaveLength(1);
  });

  it('keeps no credentials of the base URL in the store', async () => {
    const s = await openStore(store);
    const withSecret = 'http://user:s3cret@127.0.0.1:9/v1?api_key=s3cret';
    const done = await durableRun('echo', step('echo', (x: string) => x), 'hi', { store: s, model: { spec: 'openai-compatible:llama3.1', baseUrl: withSecret } });
    const state = (await s.getRun(done.runId))!.state as DurableState;
    await s.close();
    expect(state.model).toEqual({ spec: 'openai-compatible:llama3.1', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(JSON.stringify(state)).not.toContain('s3cret');
  });

  it('resume --json prints one JSON object; prose without it', async () => {
    const server = await serve(refundResponder);
    const run = await startOnServer(`${server.origin}/v1`);
    await cli('approvals', 'approve', run.pending[0]!.approvalId, '--reviewer', run.pending[0]!.reviewer, '--store', store);
    const resumed = await cli('resume', run.runId, '--store', store, '--json');
    expect(resumed.code).toBe(0);
    const json = JSON.parse(resumed.out) as { status: string; model: string; scripted: boolean; output: { customer_response: string } };
    expect(json).toMatchObject({ status: 'completed', model: 'openai-compatible:llama3.1', scripted: false });
    expect(json.output.customer_response).toBe(REAL_DRAFT);
  });
});
