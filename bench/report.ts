/**
 * The bench report: one line per result with its target and PASS/MISS, and the files in
 * bench/results/: latest.json (everything), latest.md (the tables) and latest.svg (ratios against targets).
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One figure compared with its target: a ratio that must reach `target`, or bytes that must stay under it. */
export interface Check {
  readonly name: string;
  readonly value: number;
  readonly target: number;
  /** 'atLeast' for ratios, 'atMost' for bytes per series. */
  readonly kind: 'atLeast' | 'atMost';
  readonly unit: '×' | 'bytes/series';
}

export function passed(check: Check): boolean {
  return check.kind === 'atLeast' ? check.value >= check.target : check.value <= check.target;
}

export function checkLine(check: Check): string {
  const value = check.unit === '×' ? `${check.value.toFixed(2)}×` : `${check.value} ${check.unit}`;
  const target = `${check.kind === 'atLeast' ? '≥' : '≤'}${check.unit === '×' ? `${check.target}×` : `${check.target}`}`;
  return `${passed(check) ? 'PASS' : 'MISS'}  ${check.name}: ${value} (target ${target})`;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar per ratio (1.0 = the ceiling), with its target as a tick; green PASS, red MISS. */
export function ratioChart(checks: readonly Check[], title: string): string {
  const ratios = checks.filter((c) => c.unit === '×');
  const rowHeight = 28;
  const left = 390;
  const width = 360;
  const height = 50 + ratios.length * rowHeight + 30;
  const scale = (ratio: number) => left + Math.min(ratio, 1.2) / 1.2 * width;
  const rows = ratios.map((check, i) => {
    const y = 40 + i * rowHeight;
    const color = passed(check) ? '#2e7d32' : '#c62828';
    return [
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escapeXml(check.name)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(scale(check.value) - left).toFixed(1)}" height="16" fill="${color}"/>`,
      `<line x1="${scale(check.target).toFixed(1)}" x2="${scale(check.target).toFixed(1)}" y1="${y}" y2="${y + 22}" stroke="#000" stroke-width="2"/>`,
      `<text x="${(scale(check.value) + 6).toFixed(1)}" y="${y + 15}">${check.value.toFixed(2)}× ${passed(check) ? 'PASS' : 'MISS'}</text>`,
    ].join('');
  });
  const axisY = 40 + ratios.length * rowHeight + 4;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => `<line x1="${scale(t)}" x2="${scale(t)}" y1="36" y2="${axisY}" stroke="#ddd"/><text x="${scale(t)}" y="${axisY + 16}" text-anchor="middle">${t}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 110}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    ...ticks,
    ...rows,
    `<text x="${left}" y="${height - 4}" fill="#555">adapter req/s ÷ ceiling req/s; black tick = target</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export async function writeReport(dir: string, json: object, markdown: string, svg: string): Promise<void> {
  await writeFile(join(dir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(dir, 'latest.md'), markdown);
  await writeFile(join(dir, 'latest.svg'), svg);
}
