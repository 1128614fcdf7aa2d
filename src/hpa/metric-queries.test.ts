import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { parseHpa } from './parse-hpa.js';
import { parseGroupResource, type ResourceMapper } from '../kube/resource-mapper.js';
import type { GroupResource } from '../providers/provider.js';
import { encodeQuery, escapeSegment, groupResourceOf, guessResource, queryFor } from './metric-queries.js';

const ctx = {
  namespace: 'team a',
  customVersion: 'v1beta1' as const,
  podSelector: 'app=web,tier in (a,b)',
  resourceMapper: createStaticResourceMapper(),
};
const metricsOf = (yaml: string) =>
  parseHpa(
    `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {kind: Deployment, name: d}\n  maxReplicas: 3\n  metrics:\n${yaml}`,
    'hpa.yaml',
  ).spec.metrics!;

test('the query string is Go url.Values.Encode: sorted keys, + for spaces, empty values left out', () => {
  assert.equal(
    encodeQuery({ metricLabelSelector: 'm!=x', labelSelector: 'app in (a,b)' }),
    '?labelSelector=app+in+%28a%2Cb%29&metricLabelSelector=m%21%3Dx',
  );
  assert.equal(encodeQuery({ metricLabelSelector: '' }), '');
});

test('the kind guess of a RESTMapper without discovery', () => {
  assert.deepEqual(['Widget', 'Policy', 'Class', 'Endpoints'].map(guessResource), [
    'widgets',
    'policies',
    'classes',
    'endpoints',
  ]);
});

test('Pods, Object and External metrics become the HPA controller requests', () => {
  const metrics = metricsOf(`  - type: Pods
    pods: {metric: {name: rps, selector: {matchExpressions: [{key: code, operator: NotIn, values: ["500", "404"]}]}}, target: {type: AverageValue, averageValue: 1}}
  - type: Object
    object: {describedObject: {apiVersion: apps/v1, kind: Deployment, name: web}, metric: {name: lag}, target: {type: Value, value: 1}}
  - type: Object
    object: {describedObject: {apiVersion: v1, kind: Namespace, name: elsewhere}, metric: {name: queue}, target: {type: Value, value: 1}}
  - type: Object
    object: {describedObject: {apiVersion: v1, kind: Node, name: n1}, metric: {name: temp}, target: {type: Value, value: 1}}
  - type: Object
    object: {describedObject: {apiVersion: example.com/v1, kind: Widget, name: w}, metric: {name: size}, target: {type: Value, value: 1}}
  - type: External
    external: {metric: {name: jobs, selector: {matchLabels: {queue: a-b}}}, target: {type: AverageValue, averageValue: 1}}
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}`);
  const urls = metrics.map((m) => queryFor(m, ctx)?.url);
  assert.deepEqual(urls, [
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/pods/%2A/rps?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&metricLabelSelector=code+notin+%28404%2C500%29',
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/deployments.apps/web/lag',
    // NB: the HPA's own namespace, whatever describedObject.name says.
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/metrics/queue',
    // NB: the namespaced form even for a cluster-scoped kind.
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/nodes/n1/temp',
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/widgets.example.com/w/size',
    '/apis/external.metrics.k8s.io/v1beta1/namespaces/team%20a/jobs?labelSelector=queue%3Da-b',
    undefined,
  ]);
});

test('escapeSegment writes %-escapes in upper case, as Go url.PathEscape does', () => {
  assert.equal(escapeSegment("a*b!c'(d)"), 'a%2Ab%21c%27%28d%29');
});

test('query keys are escaped like values: + for a space', () => {
  assert.equal(encodeQuery({ 'a b': 'c d' }), '?a+b=c+d');
});

test('the kind guess keeps a name ending in endpoints, and only those', () => {
  // NB: apimachinery UnsafeGuessKindToResource checks the suffix: EndpointSlice ends in "e", so it gets an "s".
  assert.deepEqual(['FooEndpoints', 'EndpointSlice'].map(guessResource), ['fooendpoints', 'endpointslices']);
});

/** A RESTMapper that knows a few irregular plurals, as one built from discovery does. */
const irregular: ResourceMapper = {
  resourceFor(text) {
    const known: Record<string, GroupResource> = {
      'Person.example.com': { group: 'example.com', resource: 'people' },
      Goose: { group: '', resource: 'geese' },
    };
    return known[text] ?? parseGroupResource(text);
  },
  kindFor() {
    throw new Error('not used');
  },
};

test('the resource of describedObject comes from the RESTMapper, by Kind.group, when it knows the kind', () => {
  assert.deepEqual(groupResourceOf({ apiVersion: 'example.com/v1', kind: 'Person' }, irregular), {
    group: 'example.com',
    resource: 'people',
  });
  assert.deepEqual(groupResourceOf({ apiVersion: 'v1', kind: 'Goose' }, irregular), { group: '', resource: 'geese' });
  // Unknown to the mapper: the guess.
  assert.deepEqual(groupResourceOf({ apiVersion: 'example.com/v1', kind: 'Goose' }, irregular), {
    group: 'example.com',
    resource: 'gooses',
  });
});

test('a kind the RESTMapper finds only in another group is guessed in the group describedObject names', () => {
  // NB: the static mapper maps a bare `Deployment` to deployments.apps; describedObject says the core group.
  const gr = groupResourceOf({ apiVersion: 'v1', kind: 'Deployment' }, createStaticResourceMapper());
  assert.deepEqual(gr, { group: '', resource: 'deployments' });
});

test('each query says which API answers it, whether it names one object, and the metric selector', () => {
  const metrics = metricsOf(`  - type: Pods
    pods: {metric: {name: rps, selector: {matchLabels: {verb: GET}}}, target: {type: AverageValue, averageValue: 1}}
  - type: Object
    object: {describedObject: {apiVersion: apps/v1, kind: Deployment, name: web}, metric: {name: lag, selector: {matchLabels: {topic: t}}}, target: {type: Value, value: 1}}
  - type: Object
    object: {describedObject: {apiVersion: v1, kind: Namespace, name: ignored}, metric: {name: queue, selector: {matchLabels: {q: a}}}, target: {type: Value, value: 1}}
  - type: External
    external: {metric: {name: jobs}, target: {type: AverageValue, averageValue: 1}}`);
  const custom = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns';
  const queries = metrics.map((m) => queryFor(m, { ...ctx, namespace: 'ns', customVersion: 'v1beta2' }));
  assert.deepEqual(queries, [
    {
      url: `${custom}/pods/%2A/rps?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&metricLabelSelector=verb%3DGET`,
      api: 'custom',
      single: false,
      metricSelector: 'verb=GET',
    },
    {
      url: `${custom}/deployments.apps/web/lag?metricLabelSelector=topic%3Dt`,
      api: 'custom',
      single: true,
      metricSelector: 'topic=t',
    },
    { url: `${custom}/metrics/queue?metricLabelSelector=q%3Da`, api: 'custom', single: true, metricSelector: 'q=a' },
    {
      url: '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/jobs',
      api: 'external',
      single: false,
      metricSelector: '',
    },
  ]);
});

test('a Namespace kind outside the core group is an ordinary object', () => {
  const [metric] = metricsOf(`  - type: Object
    object: {describedObject: {apiVersion: example.com/v1, kind: Namespace, name: x}, metric: {name: m}, target: {type: Value, value: 1}}`);
  assert.equal(
    queryFor(metric!, ctx)?.url,
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/namespaces.example.com/x/m',
  );
});

test('the query follows the metric type, not whichever source field is set', () => {
  const [object] = metricsOf(`  - type: Object
    object: {describedObject: {apiVersion: v1, kind: Node, name: n1}, metric: {name: temp}, target: {type: Value, value: 1}}
    pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: 1}}
    external: {metric: {name: jobs}, target: {type: AverageValue, averageValue: 1}}`);
  assert.equal(queryFor(object!, ctx)?.url, '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/nodes/n1/temp');
  const [external] = metricsOf(`  - type: External
    external: {metric: {name: jobs}, target: {type: AverageValue, averageValue: 1}}
    pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: 1}}
    object: {describedObject: {apiVersion: v1, kind: Node, name: n1}, metric: {name: temp}, target: {type: Value, value: 1}}`);
  assert.equal(queryFor(external!, ctx)?.url, '/apis/external.metrics.k8s.io/v1beta1/namespaces/team%20a/jobs');
  const [resource] = metricsOf(`  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
    external: {metric: {name: jobs}, target: {type: AverageValue, averageValue: 1}}`);
  assert.equal(queryFor(resource!, ctx), undefined);
});

test('a metric without the source field its type names gets no query', () => {
  for (const type of ['Pods', 'Object', 'External'] as const) assert.equal(queryFor({ type }, ctx), undefined, type);
});
