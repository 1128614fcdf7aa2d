/**
 * Every relative link of README.md and docs/*.md points at a file that exists, and every `#anchor` at a heading of
 * its page. A page the docs index marks † (it arrives with its feature) may be missing until then.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function prose(path: string): string {
  // NB: links inside code blocks are sample text, not links.
  return readFileSync(join(root, path), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
}

function anchorsOf(path: string): Set<string> {
  return new Set([...prose(path).matchAll(/^#+ (.+)$/gm)].map((match) => slug(match[1]!)));
}

function linksOf(path: string): string[] {
  return [...prose(path).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((link) => !/^[a-z]+:/.test(link));
}

const pending = new Set(
  prose('docs/README.md')
    .split('\n')
    .filter((line) => line.includes('†'))
    .flatMap((line) => [...line.matchAll(/\]\(([^)#\s]+)/g)].map((match) => normalize(join('docs', match[1]!)))),
);

test('the docs index marks some pages as pending only while they are missing', () => {
  for (const page of pending)
    assert.ok(!existsSync(join(root, page)), `${page} exists: remove its † from docs/README.md`);
});

for (const document of documents) {
  test(`${document}: relative links and anchors resolve`, () => {
    const broken: string[] = [];
    for (const link of linksOf(document)) {
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? document : normalize(join(dirname(document), path));
      if (pending.has(target)) continue;
      if (!existsSync(join(root, target))) {
        broken.push(`${link}: no file ${target}`);
      } else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) {
        broken.push(`${link}: no heading #${anchor} in ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
}
