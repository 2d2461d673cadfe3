/**
 * The studio page: a hash router over three views (runs, one run, approvals)
 * and the live feed — when the store changes, the view on screen is fetched
 * again (at most a few times a second), so runs and spans appear as they happen.
 */
import { captureToken, get, type Approval } from './api.js';
import { renderApprovals } from './approvals-view.js';
import { h, show } from './dom.js';
import { renderRun } from './run-view.js';
import { renderRuns } from './runs-view.js';

const root = document.getElementById('app')!;
const picked: { spanId?: string } = {};
let rendering = false;
let again = false;

async function render(): Promise<void> {
  if (rendering) {
    again = true;
    return;
  }
  rendering = true;
  try {
    const [path = '/runs', query = ''] = location.hash.slice(1).split('?');
    const params = new URLSearchParams(query);
    const run = /^\/runs\/(.+)$/.exec(path)?.[1];
    if (run) await renderRun(root, decodeURIComponent(run), picked);
    else if (path === '/approvals') await renderApprovals(root, () => void render());
    else await renderRuns(root, params);
    void countPending();
    root.dataset.rendered = String(Date.now());
  } catch (err) {
    show(root, h('p', { class: 'error-box' }, err instanceof Error ? err.message : String(err)));
  } finally {
    rendering = false;
    if (again) {
      again = false;
      void render();
    }
  }
}

async function countPending(): Promise<void> {
  const pending = await get<Approval[]>('/api/approvals?status=pending').catch(() => []);
  show(document.getElementById('pending-count')!, pending.length ? `(${pending.length})` : '');
}

function connectLive(): void {
  const dot = document.getElementById('live')!;
  const feed = new EventSource('/api/live');
  feed.addEventListener('open', () => dot.classList.add('on'));
  feed.addEventListener('error', () => dot.classList.remove('on'));
  // Only a view that could show a changed run is fetched again (an approval form being typed in is not).
  feed.addEventListener('runs', () => {
    if (!location.hash.startsWith('#/approvals') || !document.activeElement?.closest('.approval')) void render();
  });
}

captureToken();
if (!location.hash) location.hash = '#/runs';
window.addEventListener('hashchange', () => {
  picked.spanId = undefined;
  void render();
});
void render();
connectLive();
