import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from './config-check.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-check-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function check(
  text: string,
  flags: Record<string, unknown> = {},
): Promise<{ ok: boolean; lines: string[]; file: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  const lines: string[] = [];
  const ok = await checkConfig(file, flags, (line) => lines.push(line));
  return { ok, lines, file };
}

test('a backends: config that serve accepts is valid', async () => {
  const { ok, lines, file } = await check('backends:\n  local:\n    kind: memory\n');
  assert.equal(ok, true);
  assert.deepEqual(lines, [`${file}: valid: 1 back end: local (memory); 0 routes, 0 freshness rules`]);
  const routed = await check(
    [
      'backends:',
      '  local:',
      '    kind: memory',
      '  shared:',
      '    kind: redis',
      '    url: redis://127.0.0.1:6379',
      'routes:',
      '  - prefix: queue_',
      '    backend: shared',
      'freshness:',
      '  - prefix: queue_',
      '    maxAge: 2m',
      '',
    ].join('\n'),
  );
  assert.equal(routed.ok, true);
  assert.match(routed.lines[0]!, /valid: 2 back ends: local \(memory\), shared \(redis\); 1 route, 1 freshness rule$/);
});

test('a broken backends: config names the file, line and key, as serve does', async () => {
  await assert.rejects(
    check('backends:\n  local:\n    kind: memory\n    nope: 1\n'),
    /:4: backends\.local\.nope: unknown key/,
  );
  await assert.rejects(check('backends:\n  local:\n    kind: memroy\n'), /unknown kind "memroy"/);
  await assert.rejects(
    check('backends:\n  local:\n    kind: memory\nroutes:\n  - name: a\n    backend: other\n'),
    /no back end named "other"/,
  );
  await assert.rejects(
    check('backends:\n  local:\n    kind: memory\n', { backend: 'memory' }),
    /--backend cannot be used/,
  );
});
