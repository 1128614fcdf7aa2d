/**
 * Reads an HPA manifest (YAML or JSON text) into a validated spec. A mistake throws one
 * InvalidHpaError naming the source, the line and the field: `hpa.yaml:12: spec.metrics[0].pods.target.averageValue: …`.
 * @module
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { hpaSchema, type HorizontalPodAutoscaler } from './hpa-schema.js';

export class InvalidHpaError extends Error {
  override readonly name = 'InvalidHpaError';
}

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

export function parseHpa(text: string, source: string): HorizontalPodAutoscaler {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    throw new InvalidHpaError(`${source}:${lineCounter.linePos(problem.pos[0]).line}: invalid YAML: ${problem.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidHpaError(`${source}: must be one HorizontalPodAutoscaler object (apiVersion: autoscaling/v2)`);
  }
  const result = hpaSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const line = lineOf(doc, lineCounter, issue.path);
  const field = issue.path.length > 0 ? `${formatFieldPath(issue.path)}: ` : '';
  throw new InvalidHpaError(`${source}${line === undefined ? '' : `:${line}`}: ${field}${issue.message}`);
}
