/**
 * A small inline SVG line plot of a metric's last minutes: one line per object, labelled axes, and a
 * text alternative for screen readers. No script, no external assets.
 * @module
 */
import { escapeHtml } from './html.js';
import type { Point } from './sampler.js';

const width = 360;
const height = 120;
const pad = { left: 48, right: 8, top: 8, bottom: 20 };
/** Colour-blind-safe (Okabe-Ito) and at least 3:1 against white. */
const colours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8a6d00'];

function short(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e9) return `${+(x / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${+(x / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${+(x / 1e3).toPrecision(3)}k`;
  return String(+x.toPrecision(3));
}

export function renderPlot(title: string, series: ReadonlyMap<string, readonly Point[]>, now: number, windowMs: number): string {
  const all = [...series.values()].flat();
  const label = `${title}: ${all.length} samples over the last ${Math.round(windowMs / 60_000)} minutes`;
  if (all.length === 0) return `<p class="muted">No samples yet.</p>`;
  let lo = Math.min(...all.map((p) => p.v));
  let hi = Math.max(...all.map((p) => p.v));
  if (lo === hi) {
    lo = lo > 0 ? 0 : lo - 1;
    hi = hi === 0 ? 1 : hi;
  }
  // NB: a young process has only a few minutes of history: span what exists (at least a minute), not an empty 15 minutes.
  const earliest = Math.min(...all.map((p) => p.t));
  const span = Math.min(windowMs, Math.max(60_000, now - earliest));
  const x = (t: number) => pad.left + ((t - (now - span)) / span) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const lines: string[] = [];
  const legend: string[] = [];
  [...series.entries()].forEach(([object, points], i) => {
    const colour = colours[i % colours.length]!;
    const coords = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
    lines.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${coords.join(' ')}"/>`);
    for (const c of coords.slice(-1)) lines.push(`<circle cx="${c.split(',')[0]}" cy="${c.split(',')[1]}" r="2.5" fill="${colour}"/>`);
    legend.push(`<li><span class="swatch" style="background:${colour}"></span>${escapeHtml(object)}</li>`);
  });
  const minutes = Math.round(span / 60_000);
  return `<svg class="plot" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" data-points="${all.length}">
<title>${escapeHtml(label)}</title>
<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#555"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#555"/>
<text x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end" font-size="10" fill="#222">${escapeHtml(short(hi))}</text>
<text x="${pad.left - 4}" y="${height - pad.bottom}" text-anchor="end" font-size="10" fill="#222">${escapeHtml(short(lo))}</text>
<text x="${pad.left}" y="${height - 6}" font-size="10" fill="#222">-${minutes}m</text>
<text x="${width - pad.right}" y="${height - 6}" text-anchor="end" font-size="10" fill="#222">now</text>
${lines.join('\n')}
</svg>
<ul class="legend">${legend.join('')}</ul>`;
}
