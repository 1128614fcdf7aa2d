/**
 * The layering rules of ../shared/STYLE.md, checked on the source: no import cycle between modules, and no two
 * folders under src/ importing each other (src/index.ts, the public barrel, may import any folder). Imports are
 * read from the import and export statements and dynamic import() calls of every non-test module.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const importPattern = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((match) =>
    normalize(join(dirname(file), (match[1] ?? match[2])!)).replace(/\.js$/, '.ts'),
  );
}

const graph = new Map(modules(src).map((file) => [file, importsOf(file)]));
const name = (file: string) => relative(src, file);

test('no module imports itself back through a cycle', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(name).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

test('no two folders under src/ import each other', () => {
  const folderOf = (file: string) => {
    const parts = name(file).split('/');
    return parts.length > 1 ? parts[0]! : '(top level)';
  };
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    if (name(file) === 'index.ts') continue;
    for (const target of imports) {
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  const twoWay = [...edges].flatMap(([from, tos]) =>
    [...tos].filter((to) => from < to && edges.get(to)?.has(from)).map((to) => `${from} <-> ${to}`),
  );
  assert.deepEqual(twoWay, []);
  assert.ok(edges.size > 5, 'the folders were read');
});
