/**
 * A Prometheus series selector as rules write it (`http_requests_total{namespace!="",pod=~"web-.*"}`), parsed into a
 * matcher of pushed series. Regular expressions are fully anchored, as in PromQL; a label that is absent matches as
 * the empty string (promql/parser: `{pod=""}` selects series without `pod`).
 * @module
 */
import type { Labels } from '../api/types.js';
import { compileGoRegexp } from '../providers/promql/rules/index.js';

export type SeriesMatcher = (name: string, labels: Labels) => boolean;

interface LabelMatcher {
  readonly label: string;
  readonly test: (value: string) => boolean;
}

const matcherPattern = /^\s*([a-zA-Z_][a-zA-Z0-9_.]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/;

/** Throws an Error naming the problem for a selector PromQL would refuse. */
export function parseSeriesSelector(text: string): SeriesMatcher {
  const source = text.trim();
  const brace = source.indexOf('{');
  const name = (brace < 0 ? source : source.slice(0, brace)).trim();
  if (name !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:.]*$/.test(name))
    throw new Error(`invalid metric name ${JSON.stringify(name)} in series selector`);
  const matchers: LabelMatcher[] = [];
  if (name !== '') matchers.push({ label: '__name__', test: (value) => value === name });
  if (brace >= 0) {
    if (!source.endsWith('}')) throw new Error('series selector must end with "}"');
    let rest = source.slice(brace + 1, -1);
    while (rest.trim() !== '') {
      const match = matcherPattern.exec(rest);
      if (match === null) throw new Error(`invalid label matcher at ${JSON.stringify(rest.trim())}`);
      const [whole, label, operator, quoted] = match as unknown as [string, string, string, string];
      matchers.push({ label, test: valueTest(operator, JSON.parse(`"${quoted}"`) as string) });
      rest = rest.slice(whole.length);
    }
  }
  if (matchers.length === 0) throw new Error('series selector must name a metric or have at least one label matcher');
  // NB: PromQL refuses a selector every series matches (`{pod=~".*"}`); a rule that means every series says
  // `{__name__=~".+"}`.
  return (seriesName, labels) => {
    for (const matcher of matchers) {
      const value = matcher.label === '__name__' ? seriesName : (labels[matcher.label] ?? '');
      if (!matcher.test(value)) return false;
    }
    return true;
  };
}

function valueTest(operator: string, value: string): (actual: string) => boolean {
  switch (operator) {
    case '=':
      return (actual) => actual === value;
    case '!=':
      return (actual) => actual !== value;
    default: {
      const regexp = compileGoRegexp(`^(?:${value})$`);
      return operator === '=~' ? (actual) => regexp.test(actual) : (actual) => !regexp.test(actual);
    }
  }
}
