/**
 * End to end: the status page of the real `serve` over TLS in a real headless Chromium driven by
 * playwright-core (the system /usr/bin/chromium, never a downloaded one; skipped when it is missing):
 * no console errors, written values shown and updated after a reload, full-width plots with data points,
 * axis labels in the table's units and values on hover, the explain form's prefilled sample and decision
 * (scrolled into view, not clipped), and a screenshot at 1400×1000.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';

const chromium = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hpaYaml = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Pods
    pods: {metric: {name: http_requests}, target: {type: AverageValue, averageValue: "300"}}
`;

/** The `value` cell of `object`'s row in a metric's table. */
function valueCell(page: Page, metricHeadingId: string, object: string) {
  return page
    .locator(`section[aria-labelledby="${metricHeadingId}"] tr`, { has: page.locator('td', { hasText: object }) })
    .locator('td.num')
    .first();
}

/** The part of the DOM's SVGPolylineElement read here (the project's tsconfig has no DOM types). */
interface Polyline {
  readonly points: {
    readonly numberOfItems: number;
    getItem(index: number): { readonly x: number; readonly y: number };
  };
}

/** Per plotted line of a metric: its points, as the browser parsed them from the SVG. */
function plotLines(page: Page, metricHeadingId: string): Promise<{ x: number; y: number }[][]> {
  return page.locator(`section[aria-labelledby="${metricHeadingId}"] svg.plot polyline`).evaluateAll((lines) =>
    lines.map((line) => {
      const { points } = line as unknown as Polyline;
      return Array.from({ length: points.numberOfItems }, (_, i) => ({
        x: points.getItem(i).x,
        y: points.getItem(i).y,
      }));
    }),
  );
}

describe('status page in headless Chromium (playwright-core)', () => {
  let adapter: AdapterProcess | undefined;
  let browser: Browser | undefined;
  let dir: string | undefined;
  let send: ReturnType<typeof createClient>;

  const write = async (value: number) => {
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app%3Dweb', `"${value}"`],
      ['/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app%3Dweb', `"${value * 2}"`],
      ['/write-external-metrics/namespaces/default/queue_messages_ready?labels=queue%3Dworker', `"${value + 40}"`],
    ] as const) {
      const res = await send(path, { method: 'POST', body });
      assert.equal(res.status, 200, res.body);
    }
  };

  before(async () => {
    if (!existsSync(chromium)) return;
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-ui-'));
    adapter = await startAdapter();
    send = createClient(adapter.url, adapter.caFile);
    await write(100);
    // NB: the page samples at most once a second (and every 10 s); a first sample now and the browser's visit
    // after a pause give each plotted line two points before the test starts.
    assert.equal((await send('/ui')).status, 200);
    await sleep(1100);
    await write(150);
    browser = await playwright.launch({ executablePath: chromium, args: chromiumArgs, headless: true });
  });
  let screenshotTaken = false;
  after(async () => {
    await browser?.close();
    await adapter?.stop();
    // NB: the screenshot outlives the run, so the path in the diagnostic can be opened; nothing else is in the
    // directory.
    if (dir && !screenshotTaken) await rm(dir, { recursive: true, force: true });
  });

  test('loads without console errors, shows and updates the values, plots them, and explains an HPA', async (t) => {
    if (!existsSync(chromium)) return t.skip(`${chromium} is not installed`);
    // NB: the adapter's CA is generated per run; Chromium has no flag to trust one CA file, so the context skips
    // verification.
    const viewport = { width: 1400, height: 1000 };
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));

    const response = await page.goto(`${adapter!.url}/ui`, { waitUntil: 'load' });
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'metrics-adapter status');
    assert.equal(await page.locator('#metrics-heading').textContent(), 'Metrics served (2)');
    assert.equal(await valueCell(page, 'm-custom-pods-http_requests', 'default/web-1').textContent(), '150');
    assert.equal(await valueCell(page, 'm-custom-pods-http_requests', 'default/web-2').textContent(), '300');
    assert.equal(
      await valueCell(page, 'm-external-queue_messages_ready', 'default {queue=worker}').textContent(),
      '190',
    );

    await sleep(1100);
    await write(300);
    await page.reload({ waitUntil: 'load' });
    assert.equal(await valueCell(page, 'm-custom-pods-http_requests', 'default/web-1').textContent(), '300');
    assert.equal(await valueCell(page, 'm-custom-pods-http_requests', 'default/web-2').textContent(), '600');

    const lines = await plotLines(page, 'm-custom-pods-http_requests');
    assert.equal(lines.length, 2, 'one line per pod');
    for (const points of lines) {
      assert.ok(points.length >= 3, `a line through every sample, got ${points.length} points`);
      // SVG y grows downwards: the value rose from the first sample to the last.
      assert.ok(points[points.length - 1]!.y < points[0]!.y, `the line rises: ${JSON.stringify(points)}`);
    }
    const label = await page
      .locator('section[aria-labelledby="m-custom-pods-http_requests"] svg.plot')
      .getAttribute('aria-label');
    assert.match(label ?? '', /^pods http_requests: \d+ samples over the last 15 minutes$/);
    assert.ok(
      (await plotLines(page, 'm-external-queue_messages_ready'))[0]!.length >= 3,
      'the external series is plotted too',
    );

    // The plot spans the page under its table, its axis speaks the table's units, and a point shows its value on hover.
    const plot = page.locator('section[aria-labelledby="m-custom-pods-http_requests"] svg.plot');
    const table = page.locator('section[aria-labelledby="m-custom-pods-http_requests"] table');
    const [plotBox, tableBox] = [await plot.boundingBox(), await table.boundingBox()];
    assert.ok(plotBox && tableBox && plotBox.y >= tableBox.y + tableBox.height, 'the plot is under the table');
    assert.ok(plotBox!.width >= 1000, `the plot is page-wide, got ${plotBox!.width} px`);
    const yLabels = await plot.locator('text.y-label').allTextContents();
    assert.ok(
      yLabels.includes('600') || yLabels.includes('800'),
      `an axis reaching the largest value: ${yLabels.join(' ')}`,
    );
    for (const label of yLabels) assert.match(label, /^-?\d+(?:m|k|M|G)?$/, 'quantity text, as in the table');
    assert.ok((await plot.locator('line.grid').count()) >= 4, 'a grid');
    await plot.locator('circle.point').last().hover();
    const tip = page.locator('section[aria-labelledby="m-custom-pods-http_requests"] .plot-tip');
    assert.equal(await tip.isVisible(), true, 'the hovered value is shown');
    assert.match((await tip.textContent()) ?? '', /^default\/web-2: 600, \d+s ago$/);

    // The form starts with a sample built from the first served metric of pods: one press explains it.
    assert.match(
      await page.getByLabel('HorizontalPodAutoscaler (autoscaling/v2 YAML').inputValue(),
      /metric: \{name: "http_requests"\}/,
    );
    await Promise.all([
      page.waitForURL(/\/ui\/explain#explain-result$/),
      page.getByRole('button', { name: 'Explain' }).click(),
    ]);
    assert.match((await page.getByRole('status').textContent()) ?? '', /^2 → 2 replicas \(no change\)/);

    await page.getByLabel('HorizontalPodAutoscaler (autoscaling/v2 YAML').fill(hpaYaml);
    await page.getByLabel('Current replicas').fill('2');
    await page.getByLabel('Pod selector of the target').fill('app=web');
    // Submitted from the keyboard, as a user without a mouse would.
    await page.getByRole('button', { name: 'Explain' }).focus();
    await page.keyboard.press('Enter');
    // NB: the URL is already /ui/explain#explain-result from the first press, so wait for the new answer itself.
    await page.getByRole('status').filter({ hasText: 'rescale' }).waitFor({ timeout: 15_000 });
    // (300 + 600) / 2 = 450 against 300 per pod: ratio 1.5, so 2 pods become 3.
    assert.equal(
      await page.getByRole('status').textContent(),
      '2 → 3 replicas (rescale), bounded by DesiredWithinRange',
    );
    assert.match((await page.locator('#explain-result pre').textContent()) ?? '', /ratio 1\.5 → proposes 3/);
    assert.equal(await page.getByLabel('Current replicas').inputValue(), '2', 'the form keeps what was entered');
    // The answer is scrolled into view, whole, and wrapped rather than clipped in a scrolling box.
    await page.waitForFunction(() => (globalThis as unknown as { scrollY: number }).scrollY > 0);
    const result = await page.locator('#explain-result').boundingBox();
    assert.ok(
      result &&
        result.y >= 0 &&
        result.x >= 0 &&
        result.y + result.height <= viewport.height &&
        result.x + result.width <= viewport.width,
      `the explain result is inside the ${viewport.width}×${viewport.height} viewport: ${JSON.stringify(result)}`,
    );
    for (const selector of ['#explain-result pre', '#explain-result .decision']) {
      const { scrollWidth, clientWidth } = await page
        .locator(selector)
        .evaluate((box) => ({ scrollWidth: box.scrollWidth, clientWidth: box.clientWidth }));
      assert.ok(
        scrollWidth <= clientWidth,
        `${selector} is not clipped: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`,
      );
    }
    assert.match((await page.locator('#explain-result pre').textContent()) ?? '', /decision: 2 → 3 replicas/);

    const screenshot = join(dir!, 'status-page.png');
    await page.screenshot({ path: screenshot });
    assert.ok((await stat(screenshot)).size > 30_000, 'a page with tables, text and plots, not a blank one');
    screenshotTaken = true;
    t.diagnostic(`screenshot: ${screenshot}`);
    // NB: UI_SCREENSHOT=docs/status-page.png renders the documentation's picture: the whole page, answer included.
    if (process.env.UI_SCREENSHOT) await page.screenshot({ path: process.env.UI_SCREENSHOT, fullPage: true });
    await context.close();
    assert.deepEqual(errors, [], 'no console errors');
  });
});
