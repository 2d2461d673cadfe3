/**
 * `run <example> --stream` in a terminal: tokens as they arrive, and a compact
 * log indented by step depth (steps entered and left, tool calls and results,
 * decisions, approvals). When parallel branches speak in turn, a label line
 * names the speaker by its path each time it changes; the printer shows the
 * events in the order the run produced them and reorders nothing.
 */
import type { RunEvent } from '../core/streaming/events.js';
import { truncate } from './format.js';

export class StreamPrinter {
  /** Segments of the root path, so depth counts from the run's own step. */
  private rootDepth = 0;
  /** Who spoke last (span id and kind), or undefined after a log line. */
  private speaker: string | undefined;
  /** What continues the open token line after a newline, or undefined when no token line is open. */
  private textIndent: string | undefined;

  constructor(private readonly write: (text: string) => void) {}

  print(e: RunEvent): void {
    switch (e.type) {
      case 'run-start':
        this.rootDepth = segments(e.path);
        return this.line(0, `▶ ${e.step}  (run ${e.runId})`);
      case 'step-start':
        return this.line(this.depth(e.path), `▸ ${e.step}`);
      case 'step-end':
        return this.line(this.depth(e.path), `◂ ${e.step} ${e.status === 'ok' ? 'ok' : `✗ ${e.error?.name}: ${e.error?.message}`} (${e.durationMs.toFixed(0)} ms)`);
      case 'text-delta':
      case 'reasoning-delta':
        return this.tokens(e);
      case 'tool-call':
        return this.line(this.depth(e.path) + 1, `→ ${e.tool}(${truncate(JSON.stringify(e.args) ?? '', 160)})`);
      case 'tool-result':
        return this.line(this.depth(e.path) + 1, `${e.ok ? '←' : '✗'} ${e.tool}: ${truncate(typeof e.result === 'string' ? e.result : (JSON.stringify(e.result) ?? ''), 160)} (${e.durationMs.toFixed(1)} ms)`);
      case 'decision':
        return this.line(this.depth(e.path) + 1, `◆ ${e.name}: ${truncate(JSON.stringify(e.details), 160)}`);
      case 'approval-requested':
        return this.line(this.depth(e.path) + 1, `? approval requested: ${e.tool} ${truncate(JSON.stringify(e.details), 160)}`);
      case 'resumed':
        return this.line(0, `↻ resumed: ${JSON.stringify(e.details)}`);
      case 'error':
        return this.line(0, `✗ ${e.error.name}: ${e.error.message}`);
      case 'run-end':
        return this.line(0, `■ ${e.status}`);
      default:
        // model-start, usage (the total is printed at the end), object-delta (its text is already shown).
        return;
    }
  }

  /** Ends a token line left open. */
  finish(): void {
    if (this.textIndent !== undefined) this.write('\n');
    this.textIndent = undefined;
  }

  private tokens(e: RunEvent & { type: 'text-delta' | 'reasoning-delta' }): void {
    const who = `${e.spanId}:${e.type}`;
    let delta = e.delta;
    if (who !== this.speaker || this.textIndent === undefined) {
      // A new speaker starts a new line that begins with its label.
      const label = `${'  '.repeat(this.depth(e.path) + 1)}${this.relative(e.path)}${e.type === 'reasoning-delta' ? ' (reasoning)' : ''}`;
      this.finish();
      this.write(`${label} │ `);
      this.speaker = who;
      this.textIndent = `${' '.repeat(label.length)} │ `;
      delta = delta.replace(/^\s+/, '');
    }
    this.write(delta.replace(/\n/g, `\n${this.textIndent}`));
  }

  private line(depth: number, text: string): void {
    this.finish();
    this.speaker = undefined;
    this.write(`${'  '.repeat(Math.max(0, depth))}${text}\n`);
  }

  private depth(path: string): number {
    return segments(path) - this.rootDepth;
  }

  /** The path below the run's root step (the root's own name when it is the root speaking). */
  private relative(path: string): string {
    const parts = path.split('/');
    return parts.length > this.rootDepth ? parts.slice(this.rootDepth).join('/') : path;
  }
}

function segments(path: string): number {
  return path === '' ? 0 : path.split('/').length;
}
