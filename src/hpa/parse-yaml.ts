/**
 * One YAML (or JSON) document checked against a zod schema, with mistakes reported as
 * `source:line: field.path: message`, the way kubectl and the API server's validation name fields.
 * @module
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

/** `spec.metrics[0].pods`: the path as kubectl and the API server's validation print it. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('');
}

function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Parses `text` and validates it with `schema`; throws `makeError(message)` for the first problem.
 * `what` names the expected document when the text is not a mapping (`one HorizontalPodAutoscaler object`).
 */
export function parseYamlWith<S extends z.ZodType>(
  text: string,
  source: string,
  schema: S,
  what: string,
  makeError: (message: string) => Error,
): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    throw makeError(
      `${source}:${lineCounter.linePos(problem.pos[0]).line}: invalid YAML: ${problem.message.split('\n')[0]}`,
    );
  }
  const data: unknown = doc.toJS();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw makeError(`${source}: must be ${what}`);
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const line = lineOf(doc, lineCounter, issue.path);
  const field = issue.path.length > 0 ? `${formatFieldPath(issue.path)}: ` : '';
  throw makeError(`${source}${line === undefined ? '' : `:${line}`}: ${field}${issue.message}`);
}
