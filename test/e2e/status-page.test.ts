/**
 * End to end: the status page of the real `serve` over TLS, rendered by a real headless Chromium
 * into a screenshot (skipped when /usr/bin/chromium is missing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';

const chromium = '/usr/bin/chromium';

function runChromium(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(chromium, args, { timeout: 90_000 }, (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }));
  });
}

describe('status page in headless Chromium', () => {
  let adapter: AdapterProcess;
  let dir: string;

  before(async () => {
    adapter = await startAdapter();
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-ui-'));
    const send = createClient(adapter.url, adapter.caFile);
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
    // Two samples a little apart, so the plots have lines and not only points.
    await write(100);
    assert.equal((await send('/ui')).status, 200);
    await sleep(1100);
    await write(150);
  });
  after(async () => {
    await adapter?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('renders the metrics, the plots and the explain form into a non-trivial screenshot', async (t) => {
    if (!existsSync(chromium)) return t.skip(`${chromium} is not installed`);
    const screenshot = join(dir, 'status-page.png');
    const result = await runChromium([
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`,
      // NB: the adapter's CA is generated per test run; Chromium has no flag to trust one CA file.
      '--ignore-certificate-errors', '--hide-scrollbars', '--window-size=1200,1400',
      `--screenshot=${screenshot}`, `${adapter.url}/ui`,
    ]);
    assert.ok(existsSync(screenshot), `no screenshot (exit ${result.code}): ${result.stderr.slice(-2000)}`);
    const png = await readFile(screenshot);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1200, 1400], 'the window size');
    // A blank or error page compresses to a few KB; the page with tables, text and plots is much larger.
    assert.ok(png.length > 30_000, `screenshot is only ${png.length} bytes`);
    if (process.env.UI_SCREENSHOT) await (await import('node:fs/promises')).copyFile(screenshot, process.env.UI_SCREENSHOT);
  });
});
