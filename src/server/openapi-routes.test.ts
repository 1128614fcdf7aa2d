import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createMemoryAdapter } from '../../test/helpers/memory-adapter.js';

type TestAdapter = Awaited<ReturnType<typeof createMemoryAdapter>>;
type Json = Record<string, unknown>;
interface SchemaJson {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaJson>;
  items?: SchemaJson;
  required?: string[];
  'x-kubernetes-group-version-kind'?: { kind: string }[];
}
interface OperationJson {
  responses: Record<string, { schema?: SchemaJson; content?: Record<string, { schema: SchemaJson }> }>;
  parameters: { name: string; in: string }[];
}
interface DocumentJson {
  paths: Record<string, { get: OperationJson }>;
  definitions?: Record<string, SchemaJson>;
  components?: { schemas: Record<string, SchemaJson> };
}

/** Every form the server answers, with a value behind it. */
const served = [
  '/apis/custom.metrics.k8s.io/v1beta1/',
  '/apis/custom.metrics.k8s.io/v1beta2/',
  '/apis/external.metrics.k8s.io/v1beta1/',
  '/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-1/http_requests',
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests?metricLabelSelector=method%3DGET',
  '/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb',
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests',
  '/apis/custom.metrics.k8s.io/v1beta2/nodes/node-1/temperature',
  '/apis/custom.metrics.k8s.io/v1beta1/nodes/*/temperature',
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/team-a/metrics/queue_length',
  '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team-a/metrics/queue_length',
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/',
  '/apis/custom.metrics.k8s.io/v1beta1/nodes/node-1/',
  '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue?labelSelector=q%3Da',
];

/** The path template of `doc` that matches `path` (a template variable is one segment). */
function templateFor(doc: DocumentJson, path: string): string | undefined {
  const matches = Object.keys(doc.paths).filter((template) => {
    const pattern = template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
  // NB: a literal segment beats a variable, as in every router.
  return matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}

/** Every field of `value` is a property of its schema, every required one is there, recursively. */
function checkShape(value: unknown, schema: SchemaJson, definitions: Record<string, SchemaJson>, where: string): void {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace(/^#\/(definitions|components\/schemas)\//, '');
    const resolved = definitions[name];
    assert.ok(resolved, `${where}: ${schema.$ref} is defined`);
    checkShape(value, resolved, definitions, where);
    return;
  }
  if (value === null) return;
  if (schema.type === 'array') {
    assert.ok(Array.isArray(value), `${where} is an array`);
    for (const [i, item] of (value as unknown[]).entries())
      checkShape(item, schema.items!, definitions, `${where}[${i}]`);
    return;
  }
  if (schema.type === 'object' && schema.properties !== undefined) {
    const object = value as Json;
    for (const key of Object.keys(object)) {
      assert.ok(schema.properties[key], `${where}.${key} is in the schema`);
      checkShape(object[key], schema.properties[key], definitions, `${where}.${key}`);
    }
    for (const key of schema.required ?? []) assert.ok(key in object, `${where}.${key} is present`);
    return;
  }
  if (schema.type !== undefined && schema.type !== 'object')
    assert.equal(typeof value, schema.type === 'integer' ? 'number' : schema.type, where);
}

describe('OpenAPI v2 and v3 describe every served path and type', () => {
  let adapter: TestAdapter;
  let v2: DocumentJson;
  before(async () => {
    adapter = await createMemoryAdapter();
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app=web&labels=method=GET', '"300m"'],
      ['/write-metrics/nodes/node-1/temperature', '"45"'],
      ['/write-metrics/namespaces/team-a/metrics/queue_length', '42'],
      ['/write-external-metrics/queue?labels=q=a', '"5"'],
    ] as const)
      assert.equal((await adapter.post(path, body)).statusCode, 200);
    v2 = JSON.parse((await adapter.get('/openapi/v2')).body) as DocumentJson;
  });
  after(() => adapter.close());

  test('/openapi/v2 is valid Swagger 2.0 whose references all resolve', async () => {
    const validator = new Validator();
    // NB: a copy: resolveRefs() replaces the references in place.
    const result = await validator.validate(structuredClone(v2) as unknown as Json);
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '2.0');
    assert.doesNotThrow(() => validator.resolveRefs());
  });

  test('/openapi/v3 lists each group version, and each document is valid OpenAPI 3.0', async () => {
    const discovery = JSON.parse((await adapter.get('/openapi/v3')).body) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    assert.deepEqual(Object.keys(discovery.paths).sort(), [
      'apis/custom.metrics.k8s.io/v1beta1',
      'apis/custom.metrics.k8s.io/v1beta2',
      'apis/external.metrics.k8s.io/v1beta1',
    ]);
    for (const [key, { serverRelativeURL }] of Object.entries(discovery.paths)) {
      const res = await adapter.get(serverRelativeURL);
      assert.equal(res.statusCode, 200, key);
      assert.equal(res.headers['cache-control'], 'public, immutable', 'a URL with the current hash never changes');
      const doc = JSON.parse(res.body) as DocumentJson;
      const validator = new Validator();
      const result = await validator.validate(structuredClone(doc) as unknown as Json);
      assert.deepEqual(result.errors, undefined, key);
      assert.equal(validator.version, '3.0');
      assert.doesNotThrow(() => validator.resolveRefs());
      assert.ok(
        Object.keys(doc.paths).every((path) => path.startsWith(`/${key}/`)),
        `${key} describes its own paths only`,
      );
      const plain = await adapter.get(`/openapi/v3/${key}`);
      assert.equal(plain.body, res.body);
      assert.equal(plain.headers['cache-control'], 'no-cache, private');
    }
    const stale = await adapter.server.inject({
      method: 'GET',
      url: '/openapi/v3/apis/custom.metrics.k8s.io/v1beta2?hash=0',
    });
    assert.equal(stale.statusCode, 301);
    assert.match(
      String(stale.headers.location),
      /^\/openapi\/v3\/apis\/custom\.metrics\.k8s\.io\/v1beta2\?hash=[0-9A-F]{128}$/,
    );
    assert.equal((await adapter.get('/openapi/v3/apis/metrics.k8s.io/v1beta1')).statusCode, 404);
  });

  for (const path of served) {
    test(`${path} is described, with the type it answers with`, async () => {
      const res = await adapter.get(path);
      assert.equal(res.statusCode, 200, res.body);
      const body = JSON.parse(res.body) as Json;
      const pathOnly = path.split('?')[0]!.replace('*', '%2A');
      const template = templateFor(v2, decodeURIComponent(pathOnly).replace('*', 'x'));
      assert.ok(template, `a template in /openapi/v2 matches ${pathOnly}`);
      const operation = v2.paths[template]!.get;
      for (const key of new URLSearchParams(path.split('?')[1] ?? '').keys()) {
        assert.ok(
          operation.parameters.some((p) => p.in === 'query' && p.name === key),
          `${template} takes ?${key}`,
        );
      }
      const schema = operation.responses['200']!.schema!;
      const definition = v2.definitions![schema.$ref!.replace('#/definitions/', '')]!;
      assert.equal(definition['x-kubernetes-group-version-kind']?.[0]?.kind, body.kind);
      checkShape(body, schema, v2.definitions!, path);
      const version = path.split('/').slice(2, 4).join('/');
      const v3 = JSON.parse((await adapter.get(`/openapi/v3/apis/${version}`)).body) as DocumentJson;
      assert.ok(v3.paths[template], `${template} is in the v3 document of ${version}`);
      checkShape(
        body,
        v3.paths[template]!.get.responses['200']!.content!['application/json']!.schema,
        v3.components!.schemas,
        path,
      );
    });
  }

  test('ETag, If-None-Match, JSON only', async () => {
    const first = await adapter.get('/openapi/v2');
    assert.equal(first.headers['content-type'], 'application/json');
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    assert.equal((await adapter.get('/openapi/v2', { 'if-none-match': etag })).statusCode, 304);
    assert.equal((await adapter.get('/openapi/v2', { 'if-none-match': '"other"' })).statusCode, 200);
    assert.equal(
      (await adapter.get('/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' }))
        .statusCode,
      406,
    );
    assert.equal(
      (
        await adapter.get('/openapi/v2', {
          accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json',
        })
      ).statusCode,
      200,
    );
  });
});
