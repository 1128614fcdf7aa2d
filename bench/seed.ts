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
  const agent = new Agent({ keepAlive: true, maxSockets: 32, ca, servername: 'localhost' });
  const send = (path: string, method = 'GET', body?: string): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const req = request(new URL(path, baseUrl), { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY && done !== total && done % Math.ceil(total / 10) !== 0) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
  process.stderr.write(process.stderr.isTTY ? `\r${bar}${done === total ? '\n' : ''}` : `${bar}\n`);
}

/** Sends all writes with `concurrency` in flight; fails on the first non-2xx. */
export async function seed(client: ReturnType<typeof createBenchClient>, label: string, writes: readonly Write[], concurrency = 32): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < writes.length) {
      const write = writes[next++]!;
      const answer = await client.send(write.path, 'POST', write.body);
      if (answer.status >= 300) throw new Error(`seeding ${write.path} failed: ${answer.status} ${answer.body}`);
      progress(label, ++done, writes.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
