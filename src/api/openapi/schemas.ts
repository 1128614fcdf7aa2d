/**
 * The JSON schemas of the wire types in ../types.ts, as OpenAPI definitions named the way
 * Kubernetes names them. `definition<T>` ties each schema to its TypeScript type: the compiler
 * rejects a missing or extra field, and a field whose optionality differs from the type's.
 * @module
 */
import type {
  APIGroup,
  APIGroupList,
  APIResource,
  APIResourceList,
  ContainerMetricsWire,
  ExternalMetricValueList,
  ExternalMetricValueWire,
  GroupVersionForDiscovery,
  LabelSelector,
  LabelSelectorRequirement,
  MetricValueList,
  MetricValueV1Beta1,
  MetricValueV1Beta2,
  NodeMetricsList,
  NodeMetricsWire,
  ObjectReference,
  PodMetricsList,
  PodMetricsWire,
  ResourceMetricsObjectMeta,
  Status,
  StatusDetails,
} from '../types.js';

/** The subset of JSON Schema that Swagger 2.0 and OpenAPI 3.0 share. */
export interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  readonly format?: string;
  readonly description?: string;
  readonly $ref?: string;
  readonly items?: Schema;
  readonly additionalProperties?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly 'x-kubernetes-group-version-kind'?: readonly GroupVersionKind[];
}

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** A field of a definition: `optional` must say what the TypeScript type says. */
type Field<Optional extends boolean> = Schema &
  (Optional extends true ? { readonly optional: true } : { readonly optional?: false });
type Fields<T> = { readonly [K in keyof T]-?: Field<undefined extends T[K] ? true : false> };

function definition<T>(description: string, fields: Fields<T>, gvk?: readonly GroupVersionKind[]): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(fields) as [string, Field<boolean>][]) {
    const { optional, ...schema } = field;
    properties[name] = schema;
    if (optional !== true) required.push(name);
  }
  return {
    description,
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(gvk ? { 'x-kubernetes-group-version-kind': gvk } : {}),
  };
}

/** Definitions are written with Swagger 2.0 references; the OpenAPI 3 document rewrites the prefix. */
export const definitionsPrefix = '#/definitions/';
const ref = (name: string): Schema => ({ $ref: definitionsPrefix + name });
const string: Schema = { type: 'string' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const kindField = (text: string): Schema => ({ type: 'string', description: `Always ${text}.` });

export const names = {
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  listMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
  labelSelector: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  labelSelectorRequirement: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
  objectReference: 'io.k8s.api.core.v1.ObjectReference',
  apiResource: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResource',
  apiResourceList: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  groupVersionForDiscovery: 'io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery',
  apiGroup: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup',
  apiGroupList: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList',
  status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  statusDetails: 'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails',
  statusCause: 'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause',
  metricValue: (version: string) => `io.k8s.metrics.pkg.apis.custom_metrics.${version}.MetricValue`,
  metricValueList: (version: string) => `io.k8s.metrics.pkg.apis.custom_metrics.${version}.MetricValueList`,
  metricIdentifier: 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta2.MetricIdentifier',
  externalMetricValue: 'io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValue',
  externalMetricValueList: 'io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList',
  objectMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  duration: 'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
  nodeMetrics: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics',
  nodeMetricsList: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetricsList',
  podMetrics: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics',
  podMetricsList: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetricsList',
  containerMetrics: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.ContainerMetrics',
} as const;

const metaV1 = (kind: string): GroupVersionKind[] => [{ group: '', version: 'v1', kind }];

/** The definitions every document shares: metav1, core/v1 and resource types. */
function commonDefinitions(): Record<string, Schema> {
  return {
    [names.quantity]: {
      type: 'string',
      description: 'A fixed-point number in Kubernetes Quantity notation (`300m`, `1.5Gi`, `42`).',
    },
    [names.time]: { type: 'string', format: 'date-time', description: 'RFC 3339 time, in seconds, UTC.' },
    [names.listMeta]: {
      type: 'object',
      description: 'ListMeta; always empty here.',
      properties: {
        resourceVersion: string,
        continue: string,
        selfLink: string,
        remainingItemCount: { type: 'integer', format: 'int64' },
      },
    },
    [names.labelSelectorRequirement]: definition<LabelSelectorRequirement>('A label selector requirement.', {
      key: string,
      operator: { type: 'string', description: 'In, NotIn, Exists or DoesNotExist.' },
      values: { type: 'array', items: string, optional: true },
    }),
    [names.labelSelector]: definition<LabelSelector>('A label selector: requirements ANDed together.', {
      matchLabels: { ...stringMap, optional: true },
      matchExpressions: { type: 'array', items: ref(names.labelSelectorRequirement), optional: true },
    }),
    [names.objectReference]: definition<ObjectReference>('The object a metric describes.', {
      kind: string,
      namespace: { ...string, optional: true },
      name: string,
      apiVersion: string,
    }),
    [names.apiResource]: definition<APIResource>(
      'One served resource: `{resource}/{metric}` for custom metrics, the metric for external ones.',
      {
        name: string,
        singularName: string,
        namespaced: { type: 'boolean' },
        kind: string,
        verbs: { type: 'array', items: string },
      },
    ),
    [names.apiResourceList]: definition<APIResourceList>(
      'The resources of one group version (discovery).',
      {
        kind: kindField('APIResourceList'),
        apiVersion: kindField('v1'),
        groupVersion: string,
        resources: { type: 'array', items: ref(names.apiResource) },
      },
      metaV1('APIResourceList'),
    ),
    [names.groupVersionForDiscovery]: definition<GroupVersionForDiscovery>('A group version.', {
      groupVersion: string,
      version: string,
    }),
    [names.apiGroup]: definition<APIGroup>(
      'A served API group (discovery).',
      {
        kind: kindField('APIGroup'),
        apiVersion: kindField('v1'),
        name: string,
        versions: { type: 'array', items: ref(names.groupVersionForDiscovery) },
        preferredVersion: ref(names.groupVersionForDiscovery),
      },
      metaV1('APIGroup'),
    ),
    [names.apiGroupList]: definition<APIGroupList>(
      'The served API groups (discovery).',
      {
        kind: kindField('APIGroupList'),
        apiVersion: kindField('v1'),
        groups: { type: 'array', items: ref(names.apiGroup) },
      },
      metaV1('APIGroupList'),
    ),
    [names.statusCause]: {
      type: 'object',
      description: 'One cause of an error.',
      properties: { reason: string, message: string, field: string },
    },
    [names.statusDetails]: definition<StatusDetails>('Details of an error.', {
      name: { ...string, optional: true },
      group: { ...string, optional: true },
      kind: { ...string, optional: true },
      causes: { type: 'array', items: ref(names.statusCause), optional: true },
      retryAfterSeconds: { type: 'integer', format: 'int32', optional: true },
    }),
    [names.status]: definition<Status>(
      'The answer to a failed request.',
      {
        kind: kindField('Status'),
        apiVersion: kindField('v1'),
        metadata: ref(names.listMeta),
        status: { type: 'string', description: 'Failure or Success.' },
        message: { ...string, optional: true },
        reason: { ...string, optional: true },
        details: { ...ref(names.statusDetails), optional: true },
        code: { type: 'integer', format: 'int32' },
      },
      metaV1('Status'),
    ),
  };
}

function customDefinitions(version: 'v1beta1' | 'v1beta2'): Record<string, Schema> {
  const gvk = [{ group: 'custom.metrics.k8s.io', version, kind: 'MetricValueList' }];
  const list = definition<MetricValueList>(
    'The values of one metric for the objects asked for.',
    {
      kind: kindField('MetricValueList'),
      apiVersion: kindField(`custom.metrics.k8s.io/${version}`),
      metadata: ref(names.listMeta),
      items: { type: 'array', items: ref(names.metricValue(version)) },
    },
    gvk,
  );
  if (version === 'v1beta1') {
    return {
      [names.metricValueList(version)]: list,
      [names.metricValue(version)]: definition<MetricValueV1Beta1>('The value of a metric for one object.', {
        describedObject: ref(names.objectReference),
        metricName: string,
        timestamp: ref(names.time),
        window: {
          type: 'integer',
          format: 'int64',
          description: 'Seconds the value was computed over.',
          optional: true,
        },
        value: ref(names.quantity),
        selector: ref(names.labelSelector),
      }),
    };
  }
  return {
    [names.metricValueList(version)]: list,
    [names.metricIdentifier]: definition<MetricValueV1Beta2['metric']>(
      'A metric name and the selector of its series.',
      {
        name: string,
        selector: ref(names.labelSelector),
      },
    ),
    [names.metricValue(version)]: definition<MetricValueV1Beta2>('The value of a metric for one object.', {
      describedObject: ref(names.objectReference),
      metric: ref(names.metricIdentifier),
      timestamp: ref(names.time),
      windowSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'Seconds the value was computed over.',
        optional: true,
      },
      value: ref(names.quantity),
    }),
  };
}

function externalDefinitions(): Record<string, Schema> {
  return {
    [names.externalMetricValueList]: definition<ExternalMetricValueList>(
      'The series of one external metric.',
      {
        kind: kindField('ExternalMetricValueList'),
        apiVersion: kindField('external.metrics.k8s.io/v1beta1'),
        metadata: ref(names.listMeta),
        items: { type: 'array', items: ref(names.externalMetricValue) },
      },
      [{ group: 'external.metrics.k8s.io', version: 'v1beta1', kind: 'ExternalMetricValueList' }],
    ),
    [names.externalMetricValue]: definition<ExternalMetricValueWire>('The value of one series of an external metric.', {
      metricName: string,
      metricLabels: stringMap,
      timestamp: ref(names.time),
      window: { type: 'integer', format: 'int64', description: 'Seconds the value was computed over.', optional: true },
      value: ref(names.quantity),
    }),
  };
}

/** metrics.k8s.io/v1beta1: NodeMetrics and PodMetrics with their lists (spec §10). */
function resourceDefinitions(): Record<string, Schema> {
  const gvk = (kind: string): GroupVersionKind[] => [{ group: 'metrics.k8s.io', version: 'v1beta1', kind }];
  const usage: Schema = {
    type: 'object',
    description: 'A ResourceList: `cpu` and `memory` usage.',
    additionalProperties: ref(names.quantity),
  };
  const typeMeta = (kind: string) => ({
    kind: { ...kindField(kind), description: `${kind}; left out of the items of a list.`, optional: true as const },
    apiVersion: { ...kindField('metrics.k8s.io/v1beta1'), optional: true as const },
  });
  const list = (kind: string) => ({
    kind: kindField(kind),
    apiVersion: kindField('metrics.k8s.io/v1beta1'),
    metadata: ref(names.listMeta),
  });
  return {
    [names.duration]: { type: 'string', description: 'A Go duration such as `30s` or `1m0s`.' },
    [names.objectMeta]: definition<ResourceMetricsObjectMeta>('The object the usage belongs to.', {
      name: string,
      namespace: { ...string, optional: true },
      creationTimestamp: { ...ref(names.time), description: 'The time of the answer.' },
      labels: { ...stringMap, optional: true },
    }),
    [names.nodeMetrics]: definition<NodeMetricsWire>(
      'The resource usage of one node.',
      {
        ...typeMeta('NodeMetrics'),
        metadata: ref(names.objectMeta),
        timestamp: { ...ref(names.time), description: 'The end of the sample window.' },
        window: ref(names.duration),
        usage,
      },
      gvk('NodeMetrics'),
    ),
    [names.nodeMetricsList]: definition<NodeMetricsList>(
      'The resource usage of nodes.',
      {
        ...list('NodeMetricsList'),
        items: { type: 'array', items: ref(names.nodeMetrics) },
      },
      gvk('NodeMetricsList'),
    ),
    [names.containerMetrics]: definition<ContainerMetricsWire>('The resource usage of one container.', {
      name: string,
      usage,
    }),
    [names.podMetrics]: definition<PodMetricsWire>(
      'The resource usage of one pod, per container.',
      {
        ...typeMeta('PodMetrics'),
        metadata: ref(names.objectMeta),
        timestamp: { ...ref(names.time), description: 'The end of the sample window.' },
        window: ref(names.duration),
        containers: { type: 'array', items: ref(names.containerMetrics) },
      },
      gvk('PodMetrics'),
    ),
    [names.podMetricsList]: definition<PodMetricsList>(
      'The resource usage of pods.',
      {
        ...list('PodMetricsList'),
        items: { type: 'array', items: ref(names.podMetrics) },
      },
      gvk('PodMetricsList'),
    ),
  };
}

/** The definitions one group version needs, with the shared ones. */
export function definitionsFor(group: string, version: string): Record<string, Schema> {
  if (group === 'external.metrics.k8s.io') return { ...commonDefinitions(), ...externalDefinitions() };
  if (group === 'metrics.k8s.io') return { ...commonDefinitions(), ...resourceDefinitions() };
  return { ...commonDefinitions(), ...customDefinitions(version === 'v1beta1' ? 'v1beta1' : 'v1beta2') };
}
