import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesPathPattern } from './authorizer.js';
import { requestAttributes } from './request-attributes.js';

const resource = (
  namespace: string,
  verb: string,
  group: string,
  version: string,
  res: string,
  subresource: string,
  name: string,
) => ({ resourceRequest: true, resource: { namespace, verb, group, version, resource: res, subresource, name } });
const nonResource = (path: string, verb: string) => ({ resourceRequest: false, nonResource: { path, verb } });

test('requestAttributes turns URLs into SubjectAccessReview attributes as requestinfo.go does (spec §7.5)', () => {
  const cm = 'custom.metrics.k8s.io';
  const cases: [string, string, unknown][] = [
    [
      'GET',
      `/apis/${cm}/v1beta2/namespaces/ns/pods/%2A/m?labelSelector=a%3Db`,
      resource('ns', 'get', cm, 'v1beta2', 'pods', 'm', '*'),
    ],
    [
      'GET',
      `/apis/${cm}/v1beta2/namespaces/ns/deployments.apps/web/m`,
      resource('ns', 'get', cm, 'v1beta2', 'deployments.apps', 'm', 'web'),
    ],
    ['GET', `/apis/${cm}/v1beta1/nodes/n1/m`, resource('', 'get', cm, 'v1beta1', 'nodes', 'm', 'n1')],
    ['GET', `/apis/${cm}/v1beta2/namespaces/ns/metrics/m`, resource('ns', 'get', cm, 'v1beta2', 'metrics', '', 'm')],
    [
      'GET',
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/queue',
      resource('ns', 'list', 'external.metrics.k8s.io', 'v1beta1', 'queue', '', ''),
    ],
    [
      'GET',
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/queue?watch=true',
      resource('ns', 'watch', 'external.metrics.k8s.io', 'v1beta1', 'queue', '', ''),
    ],
    ['GET', `/apis/${cm}/v1beta2`, nonResource(`/apis/${cm}/v1beta2`, 'get')],
    ['GET', `/apis/${cm}/v1beta2/`, nonResource(`/apis/${cm}/v1beta2/`, 'get')],
    ['GET', '/apis', nonResource('/apis', 'get')],
    ['GET', '/metrics', nonResource('/metrics', 'get')],
    [
      'POST',
      '/write-metrics/namespaces/ns/pods/p/m?labels=a%3Db',
      nonResource('/write-metrics/namespaces/ns/pods/p/m', 'create'),
    ],
    ['POST', '/write-external-metrics/q', nonResource('/write-external-metrics/q', 'create')],
    ['GET', '/write-metrics/x', nonResource('/write-metrics/x', 'get')],
    ['POST', `/apis/${cm}/v1beta2/nodes/n1/m`, resource('', 'create', cm, 'v1beta2', 'nodes', 'm', 'n1')],
  ];
  for (const [method, url, expected] of cases)
    assert.deepEqual(requestAttributes(method, url), expected, `${method} ${url}`);
});

test('always-allow paths are exact unless they end in *', () => {
  const defaults = ['/healthz', '/readyz', '/livez'];
  assert.equal(matchesPathPattern('/livez/ping', defaults), false);
  assert.equal(matchesPathPattern('/healthz/', defaults), false);
  assert.equal(matchesPathPattern('/readyz', defaults), true);
  assert.equal(matchesPathPattern('/livez/ping', ['/livez/*']), true);
  assert.equal(matchesPathPattern('/anything', ['*']), true);
});
