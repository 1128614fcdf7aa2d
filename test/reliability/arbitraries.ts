/**
 * fast-check generators for what a client can send: request paths in every form of spec §1.2 and
 * §2.1 plus odd segments and broken percent-escapes, label selectors near Go's grammar, quantity
 * bodies near Go's grammar, and Accept / Content-Type headers. Near-valid input finds more bugs than
 * noise, so each generator mixes real words with garbage.
 * @module
 */
import fc from 'fast-check';

/** Percent-encodes everything outside RFC 3986 unreserved characters, so the URL is a valid request target. */
export function escapeText(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

const oddSegments = [
  '',
  '.',
  '..',
  '%',
  '%2',
  '%zz',
  '%00',
  '%2F',
  '%2A',
  '*',
  '%E0%A4%A',
  '%C3%28',
  '%FF',
  '~',
  'a'.repeat(300),
  '%20',
  '-',
  'UPPER',
];
const words = [
  'apis',
  'namespaces',
  'fuzz',
  'default',
  'kube-system',
  'pods',
  'services',
  'nodes',
  'deployments.apps',
  'pods.metrics.k8s.io',
  'jobs.batch',
  'metrics',
  'm',
  'q',
  'p-1',
  'p-2',
  'custom.metrics.k8s.io',
  'external.metrics.k8s.io',
  'v1beta1',
  'v1beta2',
  'v1',
];

export const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...words) },
  { weight: 2, arbitrary: fc.constantFrom(...oddSegments) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map(escapeText) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map(escapeText) },
);

const prefixes = [
  '',
  '/apis',
  '/apis/custom.metrics.k8s.io',
  '/apis/custom.metrics.k8s.io/v1beta1',
  '/apis/custom.metrics.k8s.io/v1beta2',
  '/apis/external.metrics.k8s.io',
  '/apis/external.metrics.k8s.io/v1beta1',
  '/write-metrics',
  '/write-external-metrics',
  '/healthz',
  '/readyz',
  '/livez',
  '/metrics',
  '/ui',
  '/openapi/v2',
];

const labelKeys = ['app', 'tier', 'queue', 'shard', 'a.b/c', 'example.com/x', '-bad', 'x'.repeat(64), 'k_'];
const labelValues = ['web', 'web-1', 'q-1', '', '1', 'x'.repeat(64), '-v', 'a b'];
const operators = ['=', '==', '!=', ' in ', ' notin ', '>', '<', ''];

const selectorTerm: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('', '!'), fc.constantFrom(...labelKeys)).map(([not, key]) => `${not}${key}`),
  fc
    .tuple(
      fc.constantFrom(...labelKeys),
      fc.constantFrom(...operators),
      fc.constantFrom(...labelValues, '5', '-3', '1e3'),
    )
    .map(([k, op, v]) => `${k}${op}${v}`),
  fc
    .tuple(
      fc.constantFrom(...labelKeys),
      fc.constantFrom(' in ', ' notin ', 'in', ' in'),
      fc.array(fc.constantFrom(...labelValues), { maxLength: 4 }),
    )
    .map(([k, op, vs]) => `${k}${op}(${vs.join(',')})`),
  fc.string({ maxLength: 10 }),
);

/** Label selector text: Go-grammar terms joined by commas, sometimes with stray punctuation. */
export const selectorText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(selectorTerm, { maxLength: 4 }).map((terms) => terms.join(',')) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom('(', ')', ',', '!', '=', ' ', 'a', 'in'), { maxLength: 12 })
      .map((chars) => chars.join('')),
  },
);

const queryParam: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom('labelSelector', 'metricLabelSelector', 'labels', 'objectLabels'), selectorText)
    .map(([k, v]) => `${k}=${escapeText(v)}`),
  fc
    .tuple(fc.constantFrom('pretty', 'watch', 'limit'), fc.constantFrom('true', 'false', '1', 'x', ''))
    .map(([k, v]) => `${k}=${v}`),
  fc
    .tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
    .map(([k, v]) => `${escapeText(k)}=${escapeText(v)}`),
  fc.constantFrom('labelSelector', '=', '&', '%', 'labelSelector=%zz', 'labelSelector=a%3Db&labelSelector=c'),
);

/** A request path and query: known prefixes, odd segments, trailing and doubled slashes. */
export const requestPath: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...prefixes),
    fc.array(segment, { maxLength: 6 }),
    fc.constantFrom('', '/', '//'),
    fc.array(queryParam, { maxLength: 3 }),
  )
  .map(([prefix, segments, tail, query]) => {
    const path = `${prefix}${segments.map((s) => `/${s}`).join('')}${tail}` || '/';
    return query.length === 0 ? path : `${path}?${query.join('&')}`;
  });

const suffixes = [
  '',
  'm',
  'n',
  'u',
  'k',
  'K',
  'Ki',
  'M',
  'Mi',
  'G',
  'Gi',
  'T',
  'Ti',
  'P',
  'Pi',
  'E',
  'Ei',
  'e3',
  'E-2',
  'e+9',
  'e99999',
  'X',
  'ki',
  ' ',
];

/** Quantity text near Go's grammar: sign, digits, fraction, suffix. */
export const quantityText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '-', '+', '--'),
    fc.stringMatching(/^[0-9]{0,24}$/),
    fc.constantFrom('', '.'),
    fc.stringMatching(/^[0-9]{0,12}$/),
    fc.constantFrom(...suffixes),
  )
  .map(([sign, whole, dot, fraction, suffix]) => `${sign}${whole}${dot}${fraction}${suffix}`);

/** A write body: a JSON string quantity, a JSON number, other JSON, or not JSON at all. */
export const writeBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: quantityText.map((q) => JSON.stringify(q)) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      )
      .map(String),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '1e308',
      '1e309',
      '-0',
      '0.000000001',
      '9223372036854775807',
      '1E3',
      '.5',
      '5.',
      '"1"x',
      '[1]',
      '{}',
      'null',
      'true',
      '',
      ' ',
      '"',
      '""',
    ),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

export const acceptHeader: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    '*/*',
    'application/vnd.kubernetes.protobuf,*/*',
    'application/vnd.kubernetes.protobuf',
    'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    'application/json;as=Table;v=v1;g=meta.k8s.io',
    'text/html',
    'application/*;q=0',
    'application/json;q=0,*/*;q=0',
    '',
    ',,,',
    ';',
    'application/json;q=abc',
  ),
  fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
);

export const contentTypeHeader: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonx',
    'application/json;',
    '',
  ),
  fc.string({ maxLength: 16 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
);

export const method = fc.constantFrom('GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

export interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly accept: string | undefined;
  readonly contentType: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: string | undefined;
}

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method,
  url: requestPath,
  accept: acceptHeader,
  contentType: contentTypeHeader,
  userAgent: fc.constantFrom(undefined, 'curl/8.5.0', 'kubectl/v1.35.0', 'Mozilla/5.0'),
  body: fc.option(writeBody, { nil: undefined }),
});

const podNames = Array.from({ length: 10 }, (_, i) => `p-${i}`);

/** A write aimed at the seeded series: mostly valid targets, with one part broken now and then. */
export const fuzzWrite = fc.record({
  kind: fc.constantFrom('custom', 'custom', 'external'),
  name: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...podNames) }, { weight: 2, arbitrary: segment }),
  namespace: fc.oneof({ weight: 9, arbitrary: fc.constant('fuzz') }, { weight: 1, arbitrary: segment }),
  metric: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('m', 'q') }, { weight: 2, arbitrary: segment }),
  query: fc.array(queryParam, { maxLength: 2 }),
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constant<string | undefined>('application/json') },
    { weight: 2, arbitrary: contentTypeHeader },
  ),
  body: writeBody,
});
