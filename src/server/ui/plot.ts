/**
 * An inline SVG line plot of a metric's last minutes, as wide as the page: one line per object, a light grid,
 * a value axis in the table's units (see axis.ts), and every point carrying its value for hover (a `<title>`
 * for any browser, a `data-label` that the page's script shows at once). A text alternative for screen readers;
 * no external assets.
 * @module
 */
import type { QuantityFormat } from '../../quantity/index.js';
import { formatAxisValue, valueAxis } from './axis.js';
import { escapeHtml, formatAge } from './html.js';
import type { Point } from './sampler.js';

const width = 1000;
const height = 220;
const pad = { left: 70, right: 12, top: 10, bottom: 24 };
/** Colour-blind-safe (Okabe-Ito) and at least 3:1 against white. */
const colours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8a6d00'];
const minuteSteps = [1, 2, 5, 10, 15, 30, 60];

export interface PlotOptions {
  /** The units of the table's values; the axis and hover labels use the same. */
  readonly format?: QuantityFormat;
}

export function renderPlot(
  title: string,
  series: ReadonlyMap<string, readonly Point[]>,
  now: number,
  windowMs: number,
  options: PlotOptions = {},
): string {
  const format = options.format ?? 'DecimalSI';
  const all = [...series.values()].flat();
  const label = `${title}: ${all.length} samples over the last ${Math.round(windowMs / 60_000)} minutes`;
  if (all.length === 0) return `<p class="muted">No samples yet.</p>`;
  const axis = valueAxis(Math.min(...all.map((p) => p.v)), Math.max(...all.map((p) => p.v)), format);
  // NB: a young process has only a few minutes of history: span what exists (at least a minute), not an empty 15
  // minutes.
  const earliest = Math.min(...all.map((p) => p.t));
  const span = Math.min(windowMs, Math.max(60_000, now - earliest));
  const right = width - pad.right;
  const bottom = height - pad.bottom;
  const x = (t: number) => pad.left + ((t - (now - span)) / span) * (right - pad.left);
  const y = (v: number) => pad.top + (1 - (v - axis.min) / (axis.max - axis.min)) * (bottom - pad.top);

  const grid: string[] = [];
  for (const tick of axis.ticks) {
    const ty = y(tick.value).toFixed(1);
    grid.push(`<line class="grid" x1="${pad.left}" y1="${ty}" x2="${right}" y2="${ty}" stroke="#e6e6e6"/>`);
    grid.push(
      `<text class="y-label" x="${pad.left - 6}" y="${ty}" dy="4" text-anchor="end" font-size="12" fill="#333">${escapeHtml(tick.label)}</text>`,
    );
  }
  const minutes = span / 60_000;
  const stepMinutes = minuteSteps.find((m) => minutes / m <= 8) ?? 60;
  for (let ago = 0; ago <= minutes + 1e-9; ago += stepMinutes) {
    const tx = x(now - ago * 60_000).toFixed(1);
    grid.push(`<line class="grid" x1="${tx}" y1="${pad.top}" x2="${tx}" y2="${bottom}" stroke="#e6e6e6"/>`);
    const anchor = ago === 0 ? 'end' : 'middle';
    grid.push(
      `<text class="x-label" x="${tx}" y="${height - 6}" text-anchor="${anchor}" font-size="12" fill="#333">${ago === 0 ? 'now' : `-${ago}m`}</text>`,
    );
  }

  const lines: string[] = [];
  const legend: string[] = [];
  [...series.entries()].forEach(([object, points], i) => {
    const colour = colours[i % colours.length]!;
    const coords = points.map((p) => [x(p.t).toFixed(1), y(p.v).toFixed(1)] as const);
    lines.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${coords.map(([cx, cy]) => `${cx},${cy}`).join(' ')}"/>`,
    );
    points.forEach((p, j) => {
      const text = `${object}: ${formatAxisValue(p.v, format)}, ${formatAge((now - p.t) / 1000)} ago`;
      const [cx, cy] = coords[j]!;
      lines.push(
        `<circle class="point" cx="${cx}" cy="${cy}" r="3" fill="${colour}" data-label="${escapeHtml(text)}"><title>${escapeHtml(text)}</title></circle>`,
      );
    });
    legend.push(`<li><span class="swatch" style="background:${colour}"></span>${escapeHtml(object)}</li>`);
  });
  return `<div class="plot-box"><svg class="plot" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}" data-points="${all.length}">
<title>${escapeHtml(label)}</title>
${grid.join('\n')}
<line x1="${pad.left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#777"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${bottom}" stroke="#777"/>
${lines.join('\n')}
</svg><div class="plot-tip" hidden></div></div>
<ul class="legend">${legend.join('')}</ul>`;
}
