import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import {
  parseCustomPath,
  parseCustomWritePath,
  parseExternalPath,
  parseExternalWritePath,
  splitPath,
  splitUrl,
} from './paths.js';

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    return error.code;
  }
  return 200;
}

test('custom paths CMAS rejects are 404, and a short namespaced path is 400 invalid request path', () => {
  assert.equal(
    statusOf(() => parseCustomPath(['nodes', 'foo'])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomPath(['namespaces', 'ns', 'pods', 'bar'])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomPath(['blah'])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomPath(['namespaces', 'ns', 'pods', 'a', 'm', 'extra'])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomPath(['pods', '', 'm'])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomPath(['namespaces', 'ns', 'x'])),
    400,
  );
  assert.throws(() => parseCustomPath(['namespaces', 'ns', 'x']), /invalid request path/);
  assert.equal(
    statusOf(() => parseCustomPath(['namespaces', '*', 'metrics', 'm'])),
    400,
  );
});

test('custom forms A to E', () => {
  assert.deepEqual(parseCustomPath(['namespaces', 'default', 'pods', 'web-1', 'http_requests']), {
    namespace: 'default',
    resource: 'pods',
    name: 'web-1',
    metric: 'http_requests',
  });
  assert.deepEqual(parseCustomPath(['namespaces', 'default', 'deployments.apps', '*', 'm']), {
    namespace: 'default',
    resource: 'deployments.apps',
    name: '*',
    metric: 'm',
  });
  assert.deepEqual(parseCustomPath(['nodes', 'n1', 'temperature']), {
    namespace: '',
    resource: 'nodes',
    name: 'n1',
    metric: 'temperature',
  });
  assert.deepEqual(parseCustomPath(['nodes', '*', 'temperature']), {
    namespace: '',
    resource: 'nodes',
    name: '*',
    metric: 'temperature',
  });
  assert.deepEqual(parseCustomPath(['namespaces', 'team-a', 'metrics', 'queue_length']), {
    namespace: '',
    resource: 'namespaces',
    name: 'team-a',
    metric: 'queue_length',
  });
});

test('splitPath decodes the whole path before splitting it, as Go does, and rejects malformed escapes with 400', () => {
  assert.deepEqual(splitPath('/apis/g/v/namespaces/ns/pods/%2A/m%20x'), [
    '',
    'apis',
    'g',
    'v',
    'namespaces',
    'ns',
    'pods',
    '*',
    'm x',
  ]);
  assert.deepEqual(splitPath('/a/%2F/b'), ['', 'a', '', '', 'b']);
  assert.deepEqual(splitPath('/apis/g/v/namespaces/ns/pods%2F%2A%2Fm'), [
    '',
    'apis',
    'g',
    'v',
    'namespaces',
    'ns',
    'pods',
    '*',
    'm',
  ]);
  assert.deepEqual(splitPath('/apis/g/v/nodes/n1%2fm'), ['', 'apis', 'g', 'v', 'nodes', 'n1', 'm']);
  assert.deepEqual(splitPath('/a/b%252Fc'), ['', 'a', 'b%2Fc'], 'decoded once, as Go does');
  assert.equal(
    statusOf(() => splitPath('/a/%zz')),
    400,
  );
  assert.equal(
    statusOf(() => splitPath('/a/%E0%A4%A')),
    400,
  );
});

test('splitUrl separates the query', () => {
  assert.deepEqual(splitUrl('/a/b?x=1&y=2'), { path: '/a/b', query: 'x=1&y=2' });
  assert.deepEqual(splitUrl('/a/b'), { path: '/a/b', query: '' });
});

test('external paths: only namespaces/{ns}/{metric}', () => {
  assert.equal(
    statusOf(() => parseExternalPath(['queue'])),
    404,
  );
  assert.equal(
    statusOf(() => parseExternalPath(['namespaces', 'foo'])),
    404,
  );
  assert.equal(
    statusOf(() => parseExternalPath(['namespaces', 'foo', 'group', 'metric'])),
    404,
  );
  assert.equal(
    statusOf(() => parseExternalPath(['namespaces', '', 'm'])),
    404,
  );
  assert.deepEqual(parseExternalPath(['namespaces', 'default', 'queue']), { namespace: 'default', metric: 'queue' });
});

test('write paths: namespaced object, cluster-scoped object, namespace itself, external', () => {
  assert.equal(
    statusOf(() => parseCustomWritePath(['namespaces', 'ns', 'pods', 'p'])),
    404,
  );
  assert.equal(
    statusOf(() => parseExternalWritePath(['namespaces', 'ns'])),
    404,
  );
  assert.deepEqual(parseCustomWritePath(['namespaces', 'ns', 'pods', 'p', 'm']), {
    namespace: 'ns',
    resource: 'pods',
    name: 'p',
    metric: 'm',
  });
  assert.deepEqual(parseCustomWritePath(['nodes', 'n1', 'm']), {
    namespace: '',
    resource: 'nodes',
    name: 'n1',
    metric: 'm',
  });
  assert.deepEqual(parseCustomWritePath(['namespaces', 'ns', 'metrics', 'm']), {
    namespace: '',
    resource: 'namespaces',
    name: 'ns',
    metric: 'm',
  });
  assert.deepEqual(parseExternalWritePath(['q']), { namespace: null, metric: 'q' });
  assert.deepEqual(parseExternalWritePath(['namespaces', 'ns', 'q']), { namespace: 'ns', metric: 'q' });
});

test('edges: a resource named metrics, the wildcard namespace in both namespaced forms, paths starting with ?', () => {
  assert.deepEqual(parseCustomPath(['namespaces', 'ns', 'metrics', 'x', 'm']), {
    namespace: 'ns',
    resource: 'metrics',
    name: 'x',
    metric: 'm',
  });
  assert.throws(
    () => parseCustomPath(['namespaces', '*', 'metrics', 'm']),
    /metrics for multiple namespaces at once are not supported/,
  );
  assert.throws(
    () => parseCustomPath(['namespaces', '*', 'pods', 'p', 'm']),
    (e: unknown) =>
      e instanceof StatusError &&
      e.code === 400 &&
      /metrics for multiple namespaces at once are not supported/.test(e.message),
  );
  assert.throws(() => splitPath('/a/%zz'), /invalid request path: '\/a\/%zz' is not a valid url component/);
  assert.deepEqual(splitUrl('?a=1'), { path: '', query: 'a=1' });
});

test('external and write paths: every other first segment and every empty segment is 404', () => {
  assert.equal(
    statusOf(() => parseExternalPath(['foo', 'ns', 'm'])),
    404,
  );
  assert.equal(
    statusOf(() => parseExternalPath(['namespaces', 'ns', ''])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomWritePath(['nodes', '', 'm'])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomWritePath(['other', 'ns', 'metrics', 'm'])),
    404,
  );
  assert.equal(
    statusOf(() => parseCustomWritePath(['other', 'ns', 'pods', 'p', 'm'])),
    404,
  );
  assert.deepEqual(parseCustomWritePath(['namespaces', 'ns', 'metrics', 'x', 'm']), {
    namespace: 'ns',
    resource: 'metrics',
    name: 'x',
    metric: 'm',
  });
  assert.equal(
    statusOf(() => parseExternalWritePath([''])),
    404,
  );
  assert.equal(
    statusOf(() => parseExternalWritePath(['namespaces', '', 'q'])),
    404,
  );
  assert.equal(
    statusOf(() => parseExternalWritePath(['other', 'ns', 'q'])),
    404,
  );
});
