/**
 * Seeds the adapter through its write API over keep-alive HTTPS, with a progress bar on stderr.
 * @module
 */
import { Agent, request } from 'node:https';

export interface Write {
  readonly path: string;
  readonly body: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export function createBenchClient(baseUrl: string, ca: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca, servername: 'localhost' });
  const send = (path: string, method = 'GET', body?: string): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, baseUrl),
        { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: text,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

function progress(label: string, done: number, total: number): void {
  // NB: a TTY redraws one line at most every 1/200 of the way; a log file gets ten lines.
  if (done !== total && done % Math.ceil(total / (process.stderr.isTTY ? 200 : 10)) !== 0) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
  process.stderr.write(process.stderr.isTTY ? `\r${bar}${done === total ? '\n' : ''}` : `${bar}\n`);
}

/**
 * Sends `count` writes, made one at a time by `make` (1M prepared writes would cost more memory than
 * the adapter), with `concurrency` in flight on keep-alive connections; fails on the first non-2xx.
 * NB: seeding goes through the real write API rather than a bench-only bulk path in the adapter, so
 * the binary under test is the one users run; 64 parallel keep-alive requests seed 1M series in about a minute.
 */
export async function seed(
  client: ReturnType<typeof createBenchClient>,
  label: string,
  count: number,
  make: (i: number) => Write,
  concurrency = 64,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const write = make(next++);
      const answer = await client.send(write.path, 'POST', write.body);
      if (answer.status >= 300) throw new Error(`seeding ${write.path} failed: ${answer.status} ${answer.body}`);
      progress(label, ++done, count);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
