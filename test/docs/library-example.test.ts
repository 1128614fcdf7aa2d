/**
 * The library example that README.md and docs/library.md show is the one test/types/readme-library.ts type-checks
 * (`npm run typecheck`), so the documented code keeps compiling against the public API.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);

async function typeChecked(): Promise<string> {
  const source = await readFile(new URL('test/types/readme-library.ts', root), 'utf8');
  // NB: the file's first line is its own doc comment, which the documents do not show.
  return source.slice(source.indexOf('\n') + 1).trim();
}

async function typescriptBlocks(path: string): Promise<string[]> {
  const text = await readFile(new URL(path, root), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!.trim());
}

for (const document of ['README.md', 'docs/library.md']) {
  test(`${document} shows the type-checked library example`, async () => {
    const blocks = await typescriptBlocks(document);
    assert.ok(blocks.length > 0, `${document} has no ts code block`);
    assert.equal(blocks[0], await typeChecked());
  });
}
