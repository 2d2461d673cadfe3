/**
 * Server processes this program started, so none outlives it: killed when
 * the program exits (normally, by an uncaught error, or by process.exit) and
 * on SIGTERM, SIGINT and SIGHUP. On a signal nobody else listens to, the
 * program then ends as it would have without us (the signal is raised again).
 */
const live = new Set<number>();
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
let installed = false;

function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  // Someone else handles this signal (a server's graceful shutdown): leave the decision to them.
  if (process.listenerCount(signal) > 1) return;
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  installed = false;
  process.off('exit', killAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

export function trackChild(pid: number): void {
  install();
  live.add(pid);
}

export function untrackChild(pid: number): void {
  live.delete(pid);
  // Nothing left to clean up: do not keep listeners on the program's signals.
  if (live.size === 0) uninstall();
}
