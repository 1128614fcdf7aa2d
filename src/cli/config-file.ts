/**
 * Reads a YAML config file and validates it with a zod schema, naming the file, line and key of
 * the first problem (`adapter.yaml:4: memory.metricTtl: unrecognized key`), the way
 * prometheus-adapter's strict loader names what it refuses.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { CliError } from '../serving/cli-error.js';

export interface ConfigSource {
  readonly file: string;
  readonly data: unknown;
  /** `file:line` of the node at `path`, or of its nearest existing parent. */
  locate(path: readonly PropertyKey[]): string;
  /** How `path` is spelled in messages; default its keys joined by `.`. */
  keyPath?(path: readonly PropertyKey[]): string;
}

export async function readConfigFile(file: string): Promise<ConfigSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    throw new CliError(`${file}:${line}: invalid YAML: ${problem.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CliError(`${file}: the config file must be a YAML mapping of keys to values`);
  }
  return { file, data, locate: (path) => locateNode(file, doc, lineCounter, path) };
}

function locateNode(file: string, doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const keys = path.slice(0, depth).map((k) => (typeof k === 'symbol' ? k.toString() : k));
    const node = depth === 0 ? doc.contents : doc.getIn(keys, true);
    const keyNode = depth > 0 ? findKeyNode(doc, keys) : undefined;
    const range = (keyNode ?? node) as { range?: [number, number, number] } | null | undefined;
    if (range?.range) return `${file}:${lineCounter.linePos(range.range[0]).line}`;
  }
  return file;
}

/** The key node of the last path element, so an unknown key points at its own line. */
function findKeyNode(doc: Document, keys: readonly (string | number)[]): unknown {
  const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === keys[keys.length - 1]);
  return pair?.key;
}

/** Validates `value` (found at `basePath` of the file) and throws a one-line CliError on the first issue. */
export function validateConfig<T>(
  source: ConfigSource,
  schema: z.ZodType<T>,
  value: unknown,
  basePath: readonly PropertyKey[] = [],
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // NB: a misspelt key (`metricQuery`) also makes the real one missing; the unknown key is the cause to report.
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
  let path = [...basePath, ...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]!];
    message = `unknown key (allowed here: ${allowedKeys(schema, issue.path)})`;
  }
  const where = path.length > 0 ? `${source.keyPath?.(path) ?? path.map(String).join('.')}: ` : '';
  throw new CliError(`${source.locate(path)}: ${where}${message}`);
}

function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string {
  let current: unknown = schema;
  for (const key of path) {
    // NB: unwrapping an array already reached its element, so an index selects nothing more.
    if (typeof key === 'number') continue;
    current = (current as { shape?: Record<string, unknown> }).shape?.[String(key)];
    while (current && typeof (current as { unwrap?: unknown }).unwrap === 'function') {
      current = (current as { unwrap: () => unknown }).unwrap();
    }
  }
  const shape = (current as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape).join(', ') : 'none';
}
