import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { generateCertificates, type GeneratedCertificates } from './generate-certificates.js';
import { findReuseProblem } from './reuse-check.js';
import { collectSubjectAltNames } from './subject-alt-names.js';

const day = 86_400_000;
const names = collectSubjectAltNames(['svc.ns.svc'], ['10.0.0.7']);
let good: GeneratedCertificates;
let other: GeneratedCertificates;

before(async () => {
  const window = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 30 * day) };
  [good, other] = await Promise.all([
    generateCertificates({ names, ...window }),
    generateCertificates({ names, ...window }),
  ]);
});

test('findReuseProblem names what is wrong with a stored set', () => {
  const now = new Date();
  const cases: [string, () => string | undefined, string][] = [
    ['garbage CA', () => findReuseProblem({ ...good, caPem: 'x' }, names, now), 'ca.crt does not hold a certificate'],
    [
      'garbage cert',
      () => findReuseProblem({ ...good, certPem: '' }, names, now),
      'apiserver.crt does not hold a certificate',
    ],
    [
      'garbage key',
      () => findReuseProblem({ ...good, keyPem: 'x' }, names, now),
      'apiserver.key does not hold a usable private key',
    ],
    [
      'other key',
      () => findReuseProblem({ ...good, keyPem: other.keyPem }, names, now),
      'apiserver.key does not match apiserver.crt',
    ],
    [
      'other CA',
      () => findReuseProblem({ ...good, caPem: other.caPem }, names, now),
      'apiserver.crt is not signed by ca.crt',
    ],
    [
      'leaf as CA',
      () => findReuseProblem({ ...good, caPem: good.certPem }, names, now),
      'ca.crt is not a CA certificate',
    ],
    [
      'new DNS name',
      () => findReuseProblem(good, collectSubjectAltNames(['other.ns.svc']), now),
      'apiserver.crt does not cover other.ns.svc',
    ],
    [
      'new IP',
      () => findReuseProblem(good, collectSubjectAltNames([], ['10.0.0.8']), now),
      'apiserver.crt does not cover 10.0.0.8',
    ],
    ['too early', () => findReuseProblem(good, names, new Date(now.getTime() - day)), 'ca.crt is not valid yet'],
  ];
  for (const [what, check, reason] of cases) assert.equal(check(), reason, what);
  const nearEnd = findReuseProblem(good, names, new Date(now.getTime() + 29.5 * day));
  assert.match(nearEnd ?? '', /^ca\.crt expires at \d{4}-\d\d-\d\dT/);
});

test('findReuseProblem accepts a good set, any subset of its names, and any spelling of them', () => {
  assert.equal(findReuseProblem(good, names), undefined);
  assert.equal(findReuseProblem(good, collectSubjectAltNames([])), undefined);
  assert.equal(findReuseProblem(good, collectSubjectAltNames(['SVC.ns.svc', '0:0::1'])), undefined);
});
