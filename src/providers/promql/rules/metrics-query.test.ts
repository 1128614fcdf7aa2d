import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStaticResourceMapper } from '../../../kube/static-resource-mapper.js';
import { everything, parseSelector } from '../../../selector/index.js';
import { createMetricsQuery } from './metrics-query.js';
import { createResourceConverter } from './resource-converter.js';

const mapper = createStaticResourceMapper();
const pods = { group: '', resource: 'pods' };
const overrides = createResourceConverter(
  { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
  mapper,
);

function build(
  template: string,
  request: Partial<Parameters<ReturnType<typeof createMetricsQuery>['buildCustom']>[0]> = {},
): string {
  return createMetricsQuery(template, overrides, true).buildCustom({
    series: 'http_requests_total',
    resource: pods,
    namespace: '',
    metricSelector: everything,
    names: ['bar'],
    ...request,
  }).query;
}

describe('metricsQuery templates render as the peer documents', () => {
  test('an unknown field, a pipeline and an unclosed action are refused when compiled', () => {
    assert.throws(() => createMetricsQuery('<<.Serie>>', overrides, true), /can't evaluate field Serie/);
    assert.throws(
      () => createMetricsQuery('<<if .Series>>x<<end>>', overrides, true),
      /unsupported action <<if \.Series>>/,
    );
    assert.throws(() => createMetricsQuery('sum(<<.Series)', overrides, true), /unclosed action/);
    assert.throws(() => createMetricsQuery('<</* only a comment */>>', overrides, true), /empty query/);
  });

  test('docs/config.md: pods pod1 and pod2 in somens', () => {
    const query = build('sum(rate(<<.Series>>{<<.LabelMatchers>>,container_name!="POD"}[2m])) by (<<.GroupBy>>)', {
      namespace: 'somens',
      names: ['pod1', 'pod2'],
    });
    assert.equal(
      query,
      'sum(rate(http_requests_total{namespace="somens",pod=~"pod1|pod2",container_name!="POD"}[2m])) by (pod)',
    );
  });

  test('metrics_query_test.go: single and multiple names, metric selector first, LabelValuesByName, GroupBySlice', () => {
    assert.equal(build('series <<.Series>>'), 'series http_requests_total');
    assert.equal(build('<<.LabelMatchers>>', { names: ['bar'] }), 'pod="bar"');
    assert.equal(build('<<.LabelMatchers>>', { names: ['bar', 'baz'] }), 'pod=~"bar|baz"');
    assert.equal(
      build('<<.LabelMatchers>>', { metricSelector: parseSelector('metric1=value1') }),
      'metric1="value1",pod="bar"',
    );
    assert.equal(build('<<index .LabelValuesByName "pod">>', { names: ['bar', 'baz'] }), 'bar|baz');
    assert.equal(
      build('<<index .LabelValuesByName "namespace">> <<.LabelValuesByName.pod>>', {
        namespace: 'default',
        names: ['bar', 'baz'],
      }),
      'default bar|baz',
    );
    assert.equal(build('<<.GroupBySlice>> <<.GroupBy>>'), '[pod] pod');
    assert.equal(build('<<.LabelValuesByName.missing>>|<<index .LabelValuesByName "missing">>'), '<no value>|');
  });

  test("metric selector operators become the peer's matchers; gt is a 400", () => {
    const selector = parseSelector('a in (x,y),b notin (z),c,!d,e!=f');
    assert.equal(
      build('<<.LabelMatchers>>', { metricSelector: selector }),
      'a=~"x|y",b!~"z",c!="",d="",e!="f",pod="bar"',
    );
    assert.throws(
      () => build('<<.LabelMatchers>>', { metricSelector: parseSelector('a>1') }),
      (error: unknown) => (error as { code?: number }).code === 400,
    );
  });

  test('no names: every object with a value; object selector keys as Prometheus label names', () => {
    const query = build('<<.LabelMatchers>>', {
      names: undefined,
      namespace: 'default',
      objectSelector: parseSelector('app.kubernetes.io/name=web'),
    });
    assert.equal(query, 'app_kubernetes_io_name="web",namespace="default",pod=~".+"');
  });

  test('trim markers and values quoted as Go %q', () => {
    assert.equal(build('sum( <<- .Series ->> )'), 'sum(http_requests_total)');
    assert.equal(build('<<.LabelMatchers>>', { metricSelector: parseSelector('a=b'), names: ['x'] }), 'a="b",pod="x"');
  });

  test('external queries: namespace unless namespaced is false, empty GroupBy', () => {
    const converter = createResourceConverter({}, mapper);
    const template = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (name)<<.GroupBy>>';
    const request = {
      series: 'queue_consumer_lag',
      namespace: 'default',
      metricSelector: parseSelector('name=worker'),
    };
    assert.equal(
      createMetricsQuery(template, converter, true).buildExternal(request),
      'sum(queue_consumer_lag{name="worker",namespace="default"}) by (name)',
    );
    assert.equal(
      createMetricsQuery(template, converter, false).buildExternal(request),
      'sum(queue_consumer_lag{name="worker"}) by (name)',
    );
  });
});

describe('resources: overrides and template', () => {
  test('overrides map labels both ways, normalized by the mapper', () => {
    const converter = createResourceConverter(
      {
        overrides: {
          microservice: { group: 'apps', resource: 'deployment' },
          kubernetes_namespace: { resource: 'namespace' },
        },
      },
      mapper,
    );
    assert.deepEqual(converter.resourcesForLabels(['microservice', 'kubernetes_namespace', 'instance']), [
      { group: 'apps', resource: 'deployments' },
      { group: '', resource: 'namespaces' },
    ]);
    assert.equal(converter.labelForResource({ group: 'apps', resource: 'deployments' }), 'microservice');
    assert.equal(converter.labelForResource(pods), undefined);
  });

  test('template <<.Resource>>: known resources only, singular labels', () => {
    const converter = createResourceConverter({ template: '<<.Resource>>' }, mapper);
    assert.deepEqual(converter.resourcesForLabels(['pod', 'namespace', 'instance', 'le']), [
      pods,
      { group: '', resource: 'namespaces' },
    ]);
    assert.equal(converter.labelForResource({ group: 'apps', resource: 'deployments' }), 'deployment');
  });

  test('template kube_<<.Group>>_<<.Resource>>: group sanitized', () => {
    const converter = createResourceConverter({ template: 'kube_<<.Group>>_<<.Resource>>' }, mapper);
    assert.deepEqual(converter.resourcesForLabels(['kube_apps_deployment']), [
      { group: 'apps', resource: 'deployments' },
    ]);
    assert.equal(
      converter.labelForResource({ group: 'networking.k8s.io', resource: 'ingresses' }),
      'kube_networking_k8s_io_ingress',
    );
  });
});
