/**
 * The bench report: one line per result with its target and PASS/MISS, and the files in
 * bench/results/: latest.json (everything), latest.md (the tables) and latest.svg (ratios against targets).
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One figure compared with its target: a ratio that must reach `target`, bytes that must stay under it, or a count that
 * must equal it.
 */
export interface Check {
  readonly name: string;
  readonly value: number;
  readonly target: number;
  /** 'atLeast' for ratios, 'atMost' for bytes per series, 'exactly' for PromQL queries per request. */
  readonly kind: 'atLeast' | 'atMost' | 'exactly';
  readonly unit: '×' | 'bytes/series' | 'queries/request' | 'samples/s';
}

export function passed(check: Check): boolean {
  if (check.kind === 'exactly') return check.value === check.target;
  return check.kind === 'atLeast' ? check.value >= check.target : check.value <= check.target;
}

export function checkLine(check: Check): string {
  const value = check.unit === '×' ? `${check.value.toFixed(2)}×` : `${check.value} ${check.unit}`;
  const target = `${{ atLeast: '≥', atMost: '≤', exactly: '=' }[check.kind]}${check.unit === '×' ? `${check.target}×` : `${check.target}`}`;
  return `${passed(check) ? 'PASS' : 'MISS'}  ${check.name}: ${value} (target ${target})`;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A ratio shown without a target, such as one that measures another program more than the adapter. */
export interface InfoRatio {
  readonly name: string;
  readonly value: number;
  /** Printed after the value, instead of PASS or MISS. */
  readonly note: string;
}

/** A horizontal bar per ratio (1.0 = the ceiling), with its target as a tick; green PASS, red MISS, grey for `info`. */
export function ratioChart(checks: readonly Check[], title: string, info: readonly InfoRatio[] = []): string {
  const ratios = checks.filter((c) => c.unit === '×');
  const rowHeight = 28;
  const left = 390;
  const width = 360;
  const count = ratios.length + info.length;
  const height = 50 + count * rowHeight + 30;
  const scale = (ratio: number) => left + (Math.min(ratio, 1.2) / 1.2) * width;
  const bar = (i: number, name: string, value: number, color: string, label: string, tick?: number) => {
    const y = 40 + i * rowHeight;
    return [
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escapeXml(name)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(scale(value) - left).toFixed(1)}" height="16" fill="${color}"/>`,
      tick === undefined
        ? ''
        : `<line x1="${scale(tick).toFixed(1)}" x2="${scale(tick).toFixed(1)}" y1="${y}" y2="${y + 22}" stroke="#000" stroke-width="2"/>`,
      `<text x="${(scale(value) + 6).toFixed(1)}" y="${y + 15}">${value.toFixed(2)}× ${escapeXml(label)}</text>`,
    ].join('');
  };
  const rows = [
    ...ratios.map((check, i) =>
      bar(
        i,
        check.name,
        check.value,
        passed(check) ? '#2e7d32' : '#c62828',
        passed(check) ? 'PASS' : 'MISS',
        check.target,
      ),
    ),
    ...info.map((ratio, i) => bar(ratios.length + i, ratio.name, ratio.value, '#9e9e9e', ratio.note)),
  ];
  const axisY = 40 + count * rowHeight + 4;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      `<line x1="${scale(t)}" x2="${scale(t)}" y1="36" y2="${axisY}" stroke="#ddd"/><text x="${scale(t)}" y="${axisY + 16}" text-anchor="middle">${t}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 110}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    ...ticks,
    ...rows,
    `<text x="${left}" y="${height - 4}" fill="#555">adapter req/s ÷ ceiling req/s; black tick = target; grey = no target</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export async function writeReport(dir: string, json: object, markdown: string, svg: string): Promise<void> {
  await writeFile(join(dir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(dir, 'latest.md'), markdown);
  await writeFile(join(dir, 'latest.svg'), svg);
}
