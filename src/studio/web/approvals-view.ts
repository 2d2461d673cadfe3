/**
 * The approvals inbox: each pending call with its arguments, evidence,
 * recommendation, reviewer, deadline and escalation history; approve or
 * reject with a comment. The decision goes through the same path as the CLI
 * (assigned reviewer only, audited), and the studio then resumes the run.
 */
import { get, post, token, type Approval } from './api.js';
import { h, show } from './dom.js';
import { json, when } from './format.js';

/** Decisions made in this tab, shown after their card has left the pending list. */
const decidedHere: { approval: Approval; decision: 'approve' | 'reject'; at: number }[] = [];

export async function renderApprovals(root: HTMLElement, onDecided: () => void): Promise<void> {
  const list = await get<Approval[]>('/api/approvals?status=pending');
  const cards = list.map((a) => {
    const reviewer = h('input', { value: a.reviewer, 'aria-label': 'your name (the assigned reviewer)', class: 'reviewer' }) as HTMLInputElement;
    const comment = h('textarea', { rows: 2, cols: 50, placeholder: 'comment (kept in the audit log)', class: 'comment' }) as HTMLTextAreaElement;
    const message = h('div', { class: 'small result' });
    const decide = async (decision: 'approve' | 'reject') => {
      show(message, 'sending…');
      try {
        await post(`/api/approvals/${encodeURIComponent(a.approvalId)}/decision`, { decision, reviewer: reviewer.value, comment: comment.value || undefined });
        decidedHere.unshift({ approval: a, decision, at: Date.now() });
        onDecided();
      } catch (err) {
        show(message, h('span', { class: 'error-box' }, err instanceof Error ? err.message : String(err)));
      }
    };
    return h('div', { class: 'approval', 'data-approval': a.approvalId },
      h('b', {}, `${a.tool}`), ' ', h('span', { class: 'muted small' }, `${a.approvalId} · run `, h('a', { href: `#/runs/${encodeURIComponent(a.runId)}` }, a.workflow ?? 'run'), ` ${a.runId}`),
      h('div', { class: 'small' }, `reviewer: ${a.reviewer}${a.deadline ? ` · deadline ${when(a.deadline)}` : ''} · requested ${when(a.createdAt)}`),
      h('div', { class: 'small muted' }, 'arguments'), h('pre', { class: 'args' }, json(a.args)),
      a.recommendation ? [h('div', { class: 'small muted' }, 'recommendation'), h('pre', {}, a.recommendation)] : null,
      a.evidence !== undefined ? [h('div', { class: 'small muted' }, 'evidence'), h('pre', { class: 'evidence' }, json(a.evidence))] : null,
      a.history.length ? [h('div', { class: 'small muted' }, 'history'), h('ul', { class: 'small' }, ...a.history.map((e) => h('li', {}, `${when(e.at)} ${e.actor} ${e.action}${e.detail ? ` ${json(e.detail)}` : ''}`)))] : null,
      h('div', { class: 'actions' }, reviewer, comment,
        h('button', { class: 'approve', onclick: () => void decide('approve') }, 'Approve'),
        h('button', { class: 'reject', onclick: () => void decide('reject') }, 'Reject')),
      message);
  });
  const decided = decidedHere.map(({ approval: a, decision, at }) =>
    h('li', { class: 'decided', 'data-approval': a.approvalId },
      `${when(at)}: ${decision === 'approve' ? 'Approved' : 'Rejected'} ${a.tool} (${a.approvalId}); the run continues — `,
      h('a', { href: `#/runs/${encodeURIComponent(a.runId)}` }, 'follow the run')));
  show(root,
    h('h1', {}, 'Approvals'),
    decided.length ? h('ul', { id: 'decided', class: 'small' }, ...decided) : null,
    token() ? null : h('div', { class: 'notice', id: 'no-token' }, 'Open the address the studio printed (it carries the token) to decide approvals.'),
    cards.length ? h('div', { id: 'approvals' }, ...cards) : h('p', { class: 'muted', id: 'no-approvals' }, 'Nothing is waiting for a decision.'),
  );
}
