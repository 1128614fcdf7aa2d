/**
 * Confines a PromQL expression to one namespace: every vector selector (inside range selectors, subqueries
 * and function calls too) gets a `namespace="<ns>"` matcher. The expression is parsed with Prometheus' own
 * PromQL grammar (the lezer one its web UI uses), so no selector is missed, however the query is written.
 * @module
 */
import { parser } from '@prometheus-io/lezer-promql';
import { goQuote } from '../selector/go-text.js';

/** A query that does not parse; `message` names the offset and the text there. */
export class PromQLSyntaxError extends Error {
  override readonly name = 'PromQLSyntaxError';
}

/**
 * `expr` with `label="namespace"` added to every vector selector. Throws PromQLSyntaxError when `expr`
 * does not parse: a selector the parser could not see would escape the scope.
 */
export function scopePromQL(expr: string, label: string, namespace: string): string {
  const tree = parser.parse(expr);
  const inserts: { at: number; text: string }[] = [];
  const matcher = `${label}=${goQuote(namespace)}`;
  let error: number | undefined;
  let selectors = 0;
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        error ??= node.from;
        return false;
      }
      if (node.name !== 'VectorSelector') return undefined;
      selectors++;
      const matchers = node.node.getChild('LabelMatchers');
      if (matchers === null) {
        inserts.push({ at: node.to, text: `{${matcher}}` });
        return undefined;
      }
      // NB: inserted last, so a quoted metric name (`{"a.b", x="y"}`, Prometheus 3) stays first; a trailing comma is
      // allowed.
      const inside = expr.slice(matchers.from + 1, matchers.to - 1).trim();
      // NB: `<<.LabelMatchers>>` already carries the very matcher; a second copy would only be noise.
      if (
        matchers
          .getChildren('UnquotedLabelMatcher')
          .some((m) => expr.slice(m.from, m.to).replace(/\s+/g, '') === matcher)
      )
        return undefined;
      const separator = inside === '' || inside.endsWith(',') ? '' : ',';
      inserts.push({ at: matchers.to - 1, text: `${separator}${matcher}` });
      return undefined;
    },
  });
  if (error !== undefined) throw new PromQLSyntaxError(syntaxErrorMessage(expr, error));
  if (selectors === 0)
    throw new PromQLSyntaxError(
      'the query reads no series: it needs at least one selector, such as metric{<<.LabelMatchers>>}',
    );
  let scoped = expr;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at))
    scoped = scoped.slice(0, at) + text + scoped.slice(at);
  return scoped;
}

function syntaxErrorMessage(expr: string, offset: number): string {
  if (expr.trim() === '') return 'the query is empty';
  const near = expr.slice(Math.max(0, offset - 15), offset + 15);
  return offset >= expr.length
    ? `parse error: unexpected end of query: ${JSON.stringify(near)}`
    : `parse error at character ${offset + 1}: unexpected text near ${JSON.stringify(near)}`;
}
