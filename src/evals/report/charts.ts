/**
 * Small inline SVG charts for the HTML report: no script, no external file,
 * so the page is one self-contained document under a strict CSP.
 */
import { escapeHtml } from './escape.js';

export interface Bar {
  label: string;
  value: number;
  /** Shown on hover (an SVG <title>). */
  title?: string;
  tone?: 'good' | 'bad' | 'plain';
}

const W = 560;
const H = 180;
const PAD = { left: 58, right: 8, top: 10, bottom: 38 };

export function barChart(id: string, caption: string, bars: readonly Bar[], unit: string): string {
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const step = innerW / Math.max(bars.length, 1);
  const width = Math.max(2, step * 0.8);
  const rects = bars.map((b, i) => {
    const h = (b.value / max) * innerH;
    const x = PAD.left + i * step + (step - width) / 2;
    const y = PAD.top + innerH - h;
    const label = bars.length <= 12 ? `<text x="${(x + width / 2).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle" class="tick">${escapeHtml(b.label)}</text>` : '';
    return `<rect class="bar ${b.tone ?? 'plain'}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${Math.max(h, 0).toFixed(1)}"><title>${escapeHtml(b.title ?? `${b.label}: ${b.value} ${unit}`)}</title></rect>${label}`;
  });
  const axis = `<line x1="${PAD.left}" y1="${PAD.top + innerH}" x2="${W - PAD.right}" y2="${PAD.top + innerH}" class="axis"/>` +
    `<text x="${PAD.left - 6}" y="${PAD.top + 8}" text-anchor="end" class="tick">${escapeHtml(formatMax(max))}</text>` +
    `<text x="${PAD.left - 6}" y="${PAD.top + innerH}" text-anchor="end" class="tick">0</text>` +
    `<text x="${(PAD.left + innerW / 2).toFixed(0)}" y="${H - 4}" text-anchor="middle" class="unit">${escapeHtml(unit)}</text>`;
  const empty = bars.every((b) => b.value === 0) ? `<text x="${(PAD.left + innerW / 2).toFixed(0)}" y="${(PAD.top + innerH / 2).toFixed(0)}" text-anchor="middle" class="unit">all ${bars.length} values are 0</text>` : '';
  return `<figure><svg id="${id}" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(caption)}">${axis}${rects.join('')}${empty}</svg><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function formatMax(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toPrecision(2);
}

/** Counts of `values` in `bins` equal bins from `lo` to `hi`. */
export function histogram(values: readonly number[], bins: number, lo: number, hi: number): { from: number; to: number; count: number }[] {
  const width = (hi - lo) / bins || 1;
  const out = Array.from({ length: bins }, (_, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, count: 0 }));
  for (const v of values) out[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!.count++;
  return out;
}
