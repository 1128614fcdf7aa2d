/**
 * Reads a metrics API path from an adapter and parses the answer: through kubectl 1.35 when it is there (the
 * client users have), else over the same TLS with the test's HTTPS client. Either way a non-200 fails the test.
 * @module
 */
import assert from 'node:assert/strict';
import type { AdapterProcess } from './adapter-process.js';
import type { RawResponse } from './https-client.js';
import { kubectlGetRaw } from './kubectl.js';

export async function readJson<T>(
  adapter: Pick<AdapterProcess, 'url' | 'caFile'>,
  kubectl: string | undefined,
  send: (path: string) => Promise<RawResponse>,
  path: string,
): Promise<T> {
  if (kubectl !== undefined) {
    const out = await kubectlGetRaw(kubectl, { server: adapter.url, caFile: adapter.caFile, path });
    assert.equal(out.code, 0, `${path}: ${out.stderr}`);
    return JSON.parse(out.stdout) as T;
  }
  const res = await send(path);
  assert.equal(res.status, 200, `${path}: ${res.body}`);
  return JSON.parse(res.body) as T;
}
