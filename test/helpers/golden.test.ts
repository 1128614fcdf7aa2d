import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden } from './golden.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'golden-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a missing golden fails and is not written', async () => {
  const file = join(dir, 'missing.txt');
  await assert.rejects(
    assertGolden(file, 'output\n', { update: false }),
    /golden file .*missing\.txt is missing: run the test with UPDATE_GOLDEN=1/,
  );
  assert.equal(existsSync(file), false);
});

test('a golden that differs fails and is left as it was', async () => {
  const file = join(dir, 'differs.txt');
  await writeFile(file, 'old\n');
  await assert.rejects(assertGolden(file, 'new\n', { update: false }), /differs/);
  assert.equal(await readFile(file, 'utf8'), 'old\n');
});

test('an equal golden passes', async () => {
  const file = join(dir, 'equal.txt');
  await writeFile(file, 'same\n');
  await assertGolden(file, 'same\n', { update: false });
});

test('update writes the file, missing or not', async () => {
  const file = join(dir, 'updated.txt');
  await assertGolden(file, 'first\n', { update: true });
  assert.equal(await readFile(file, 'utf8'), 'first\n');
  await assertGolden(file, 'second\n', { update: true });
  assert.equal(await readFile(file, 'utf8'), 'second\n');
});
