/**
 * A fake kube-apiserver for what cannot run here: object get, list and watch, the autoscaling/v1 `scale`
 * subresource, discovery, and (optionally) the aggregator's proxy to a real metrics adapter. It answers in
 * the real Kubernetes schema (`v1`, `apps/v1`, `autoscaling/v2` objects and lists, watch events as JSON
 * lines, Status errors with their `details`, APIVersions/APIGroupList/APIGroup/APIResourceList), over
 * loopback HTTPS with a bearer token, and counts every
 * call. One resourceVersion counter spans all resources, as etcd's does. Tests drive the hard parts of
 * a real watch: bookmarks, a server-side close the client must resume, and compaction (410 Gone).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificates } from '../../src/certs/generate-certificates.js';
import { everything, labelSelectorToSelector, parseSelector, type Selector } from '../../src/selector/index.js';
import { printerColumnsOf, tableOf, wantsTable } from './fake-kube-table.js';

type LabelSelectorInput = Parameters<typeof labelSelectorToSelector>[0];

interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly subresources: readonly string[];
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The resources this fake serves, as a 1.35 cluster's discovery describes them. */
export const fakeResourceTypes: readonly ResourceType[] = [
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    subresources: ['status', 'log'],
  },
  {
    group: '',
    version: 'v1',
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    subresources: ['status'],
  },
  {
    group: '',
    version: 'v1',
    resource: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
  },
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
  },
  {
    group: '',
    version: 'v1',
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    subresources: [],
  },
  {
    group: '',
    version: 'v1',
    resource: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    shortNames: [],
    subresources: [],
  },
  {
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    subresources: ['token'],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    subresources: ['status', 'scale'],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    subresources: ['status', 'scale'],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    subresources: ['status', 'scale'],
  },
  {
    group: 'autoscaling',
    version: 'v2',
    resource: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    subresources: ['status'],
  },
  {
    group: 'policy',
    version: 'v1',
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    singular: 'clusterrole',
    kind: 'ClusterRole',
    namespaced: false,
    shortNames: [],
    subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    kind: 'ClusterRoleBinding',
    namespaced: false,
    shortNames: [],
    subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'roles',
    singular: 'role',
    kind: 'Role',
    namespaced: true,
    shortNames: [],
    subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'rolebindings',
    singular: 'rolebinding',
    kind: 'RoleBinding',
    namespaced: true,
    shortNames: [],
    subresources: [],
  },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    subresources: ['status'],
  },
  {
    group: 'apiregistration.k8s.io',
    version: 'v1',
    resource: 'apiservices',
    singular: 'apiservice',
    kind: 'APIService',
    namespaced: false,
    shortNames: [],
    subresources: ['status'],
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    subresources: [],
  },
  {
    group: 'example.com',
    version: 'v1',
    resource: 'widgets',
    singular: 'widget',
    kind: 'Widget',
    namespaced: true,
    shortNames: ['wd'],
    subresources: [],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    shortNames: [],
    subresources: [],
  },
  {
    group: 'metrics-adapter.io',
    version: 'v1alpha1',
    resource: 'metricqueries',
    singular: 'metricquery',
    kind: 'MetricQuery',
    namespaced: true,
    shortNames: ['mq'],
    subresources: ['status'],
  },
];

/**
 * Custom resources the fake also creates, updates, patches and deletes, as kube-apiserver serves a CRD: a status
 * subresource (writes to the object leave status alone and the other way round), metadata.generation that moves
 * with the spec only, resourceVersion preconditions (409 Conflict), JSON merge patches, CRD defaults, and the
 * Table of the CRD's printer columns.
 */
const customResources = new Map([
  [
    'metricqueries',
    {
      crd: new URL('../../charts/metrics-adapter/crds/metricqueries.yaml', import.meta.url),
      defaults: { servedAs: 'External', onMissing: 'Error' } as Record<string, unknown>,
      required: ['backend', 'query'],
    },
  ],
]);

/** Groups in `/apis` order. The metrics groups are listed, as the aggregator lists them, but never answered. */
const groupOrder = [
  'apiregistration.k8s.io',
  'apiextensions.k8s.io',
  'apps',
  'events.k8s.io',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
  'custom.metrics.k8s.io',
  'external.metrics.k8s.io',
  'example.com',
  'metrics-adapter.io',
];
/**
 * NB: kube-apiserver lists metrics.k8s.io (groupPriorityMinimum 100) after the built-in groups, before the custom ones.
 */
const groupOrderWithResourceMetrics = [
  'apiregistration.k8s.io',
  'apiextensions.k8s.io',
  'apps',
  'events.k8s.io',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
  'metrics.k8s.io',
  'custom.metrics.k8s.io',
  'external.metrics.k8s.io',
  'example.com',
  'metrics-adapter.io',
];

export interface FakeObjectInput {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

interface StoredObject {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels?: Record<string, string>;
    generation?: number;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

interface WatchEvent {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: StoredObject;
}

interface OpenWatch {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly selector: Selector;
  readonly bookmarks: boolean;
  readonly response: ServerResponse;
}

/** One request as the fake saw it. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly kind: 'discovery' | 'list' | 'watch' | 'get' | 'proxy' | 'write' | 'other';
}

export interface FakeKubeApiServerOptions {
  /**
   * Serve `custom.metrics.k8s.io` and `external.metrics.k8s.io` as the aggregator does for an Available
   * APIService: the group documents itself, everything below by proxying to this adapter (HTTPS, `ca`).
   * Without it those groups answer the aggregator's plain-text 503.
   */
  readonly aggregate?: { readonly url: string; readonly ca: string };
  /**
   * With `aggregate`: also an Available `v1beta1.metrics.k8s.io` APIService (the resource metrics API of
   * `kubectl top`) proxied to the adapter, as when it replaces metrics-server.
   */
  readonly resourceMetrics?: boolean;
}

export interface FakeKubeApiServer {
  /** `https://127.0.0.1:port`. */
  readonly url: string;
  /** A kubeconfig file with the server, its CA and the bearer token. */
  readonly kubeconfig: string;
  readonly requests: readonly FakeRequest[];
  /** How many requests of `kind` (and, if given, for `path`) were made. */
  count(kind: FakeRequest['kind'], path?: string): number;
  /**
   * Starts (or moves) the aggregator's proxy, as `options.aggregate` does: for an adapter that needs this server's
   * kubeconfig first.
   */
  aggregateTo(backend: { readonly url: string; readonly ca: string }): void;
  /**
   * Creates or replaces an object; returns its new resourceVersion. `resource` is `pods`, `deployments.apps`, ...
   * `announce: false` changes the object without a watch event, as if the event was lost to compaction: only a relist
   * sees it.
   */
  upsert(resource: string, object: FakeObjectInput, options?: { readonly announce?: boolean }): string;
  remove(resource: string, namespace: string, name: string, options?: { readonly announce?: boolean }): void;
  /**
   * From now on, gets, lists and watches of `resource` (and its subresources) answer 403 Forbidden, as without RBAC.
   */
  forbid(resource: string): void;
  /** Sends a BOOKMARK at the current resourceVersion on every watch that asked for bookmarks. */
  bookmark(): void;
  /** Ends every open watch normally, as kube-apiserver does at the watch's timeout: clients must resume. */
  closeWatches(): void;
  /** Forgets the history before now: a watch from an older resourceVersion gets a 410 Gone (reason Expired). */
  compact(): void;
  /** Sends `ERROR` 410 Expired on every open watch and closes it, forcing clients to list again. */
  expireWatches(): void;
  /** How many watches on `resource` are open now. */
  openWatches(resource: string): number;
  /** Resolves when at least `n` watches on `resource` are open. */
  waitForWatches(resource: string, n?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeKubeApiServer(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-apiserver-'));
  const now = Date.now();
  let aggregate = options.aggregate;
  const groups = options.resourceMetrics === true ? groupOrderWithResourceMetrics : groupOrder;
  const certs = await generateCertificates({
    names: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 86_400_000),
  });
  const token = randomBytes(16).toString('hex');
  const stores = new Map<ResourceType, Map<string, StoredObject>>(fakeResourceTypes.map((t) => [t, new Map()]));
  const historyOf = new Map<ResourceType, WatchEvent[]>(fakeResourceTypes.map((t) => [t, []]));
  const watches = new Set<OpenWatch>();
  const requests: FakeRequest[] = [];
  const watchListeners = new Set<() => void>();
  const forbidden = new Set<ResourceType>();
  let resourceVersion = 100;
  let compactedBelow = 0;

  const typeOf = (resource: string): ResourceType => {
    const dot = resource.indexOf('.');
    const [name, group] = dot < 0 ? [resource, ''] : [resource.slice(0, dot), resource.slice(dot + 1)];
    const type = fakeResourceTypes.find((t) => t.resource === name && t.group === group);
    if (type === undefined) throw new Error(`the fake serves no ${resource}`);
    return type;
  };
  const apiVersionOf = (type: ResourceType) => (type.group === '' ? type.version : `${type.group}/${type.version}`);
  const withKind = (type: ResourceType, object: StoredObject) => ({
    kind: type.kind,
    apiVersion: apiVersionOf(type),
    ...object,
  });
  const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

  const publish = (type: ResourceType, event: WatchEvent) => {
    historyOf.get(type)!.push(event);
    for (const watch of watches) {
      if (watch.type === type && visible(watch, event.object))
        sendEvent(watch.response, event.type, withKind(type, event.object));
    }
  };

  const server: Server = createServer({ key: certs.keyPem, cert: certs.certPem }, (request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      sendStatus(response, 500, 'InternalError', (error as Error).message);
    }
  });

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'https://fake');
    const path = url.pathname;
    const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const route = routeFor(path, aggregate !== undefined, groups);
    const method = request.method ?? 'GET';
    const kind =
      method !== 'GET' && (route.kind === 'collection' || route.kind === 'object' || route.kind === 'status')
        ? 'write'
        : route.kind === 'collection'
          ? isWatch
            ? 'watch'
            : 'list'
          : route.kind === 'unavailable' || route.kind === 'metricsGroup'
            ? 'discovery'
            : route.kind === 'object' || route.kind === 'scale' || route.kind === 'status'
              ? 'get'
              : route.kind;
    requests.push({ method, path, query: url.searchParams, kind });
    if (request.headers.authorization !== `Bearer ${token}`) {
      sendStatus(response, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (kind === 'write' && 'type' in route && route.type.resource === 'leases') {
      readBody(request).then(
        (body) => writeLease(route as WritableRoute, method, request.headers['content-type'] ?? '', body, response),
        (error: Error) => sendStatus(response, 400, 'BadRequest', error.message),
      );
      return;
    }
    const custom = 'type' in route ? customResources.get(route.type.resource) : undefined;
    if (kind === 'write' && custom !== undefined && 'type' in route) {
      readBody(request).then(
        (body) => write(route as WritableRoute, method, request.headers['content-type'] ?? '', body, response),
        (error: Error) => sendStatus(response, 400, 'BadRequest', error.message),
      );
      return;
    }
    if (method !== 'GET') {
      sendStatus(response, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      return;
    }
    if (route.kind === 'unavailable') {
      // NB: the aggregator's answer for an APIService that is not Available: plain text, not a Status (spec §7.2).
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('service unavailable\n');
      return;
    }
    if (route.kind === 'discovery') {
      sendJson(response, 200, route.body);
      return;
    }
    if (route.kind === 'metricsGroup') {
      const group = groupList(groups).groups.find((g) => g.name === route.group)!;
      sendJson(response, 200, { kind: 'APIGroup', apiVersion: 'v1', ...group });
      return;
    }
    if (route.kind === 'proxy') {
      proxy(request, response, url, aggregate!);
      return;
    }
    if (route.kind === 'object' || route.kind === 'scale' || route.kind === 'status') {
      const { type, namespace, name } = route;
      const gr = `${type.resource}${type.group === '' ? '' : `.${type.group}`}`;
      const details = { name, ...(type.group === '' ? {} : { group: type.group }), kind: type.resource };
      if (forbidden.has(type)) {
        const what = route.kind === 'scale' ? `${type.resource}/scale` : type.resource;
        sendStatus(
          response,
          403,
          'Forbidden',
          `${gr} "${name}" is forbidden: User "${forbiddenUser}" cannot get resource "${what}" in API group "${type.group}" in the namespace "${namespace}"`,
          details,
        );
        return;
      }
      if (route.kind === 'scale' && !type.subresources.includes('scale')) {
        sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource');
        return;
      }
      const object = stores.get(type)!.get(keyOf(namespace, name));
      if (object === undefined) {
        sendStatus(response, 404, 'NotFound', `${gr} "${name}" not found`, details);
        return;
      }
      if (custom !== undefined && wantsTable(request.headers.accept)) {
        sendJson(
          response,
          200,
          tableOf(printerColumnsOf(custom.crd), [withKind(type, object)], object.metadata.resourceVersion),
        );
        return;
      }
      sendJson(response, 200, route.kind === 'scale' ? scaleOf(object) : withKind(type, object));
      return;
    }
    if (route.kind !== 'collection') {
      sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource');
      return;
    }
    let selector: Selector;
    try {
      const text = url.searchParams.get('labelSelector') ?? '';
      selector = text === '' ? everything : parseSelector(text);
    } catch (error) {
      sendStatus(response, 400, 'BadRequest', `unable to parse requirement: ${(error as Error).message}`);
      return;
    }
    const { type, namespace } = route;
    if (forbidden.has(type)) {
      const verb = isWatch ? 'watch' : 'list';
      const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
      sendStatus(
        response,
        403,
        'Forbidden',
        `${type.resource}${type.group === '' ? '' : `.${type.group}`} is forbidden: User "${forbiddenUser}" cannot ${verb} resource "${type.resource}" in API group "${type.group}" ${scope}`,
        { ...(type.group === '' ? {} : { group: type.group }), kind: type.resource },
      );
      return;
    }
    if (!isWatch) {
      const items = [...stores.get(type)!.values()].filter((o) => visible({ namespace, selector }, o));
      if (custom !== undefined && wantsTable(request.headers.accept)) {
        sendJson(
          response,
          200,
          tableOf(
            printerColumnsOf(custom.crd),
            items.map((o) => withKind(type, o)),
            String(resourceVersion),
          ),
        );
        return;
      }
      sendJson(response, 200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(resourceVersion) },
        items,
      });
      return;
    }
    const rvText = url.searchParams.get('resourceVersion') ?? '';
    response.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache, private',
    });
    // NB: kube-apiserver flushes the headers at once; a client's watch() resolves only then.
    response.flushHeaders();
    const watch: OpenWatch = {
      type,
      namespace,
      selector,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      response,
    };
    if (rvText !== '' && rvText !== '0' && Number(rvText) < compactedBelow) {
      // NB: kube-apiserver answers a too-old resourceVersion with 200 and one ERROR event, then closes (cacher watch).
      sendEvent(response, 'ERROR', expired(Number(rvText)));
      response.end();
      return;
    }
    if (rvText === '' || rvText === '0') {
      for (const object of stores.get(type)!.values())
        if (visible(watch, object)) sendEvent(response, 'ADDED', withKind(type, object));
    } else {
      for (const event of historyOf.get(type)!) {
        if (event.rv > Number(rvText) && visible(watch, event.object))
          sendEvent(response, event.type, withKind(type, event.object));
      }
    }
    watches.add(watch);
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeoutSeconds > 0 ? setTimeout(() => response.end(), timeoutSeconds * 1000) : undefined;
    response.once('close', () => {
      clearTimeout(timer);
      watches.delete(watch);
    });
    for (const listener of watchListeners) listener();
  };

  /**
   * POST, PUT, PATCH and DELETE of a custom resource and its status, as kube-apiserver's generic registry answers them.
   */
  const write = (
    route: WritableRoute,
    method: string,
    contentType: string,
    body: unknown,
    response: ServerResponse,
  ) => {
    const { type } = route;
    const custom = customResources.get(type.resource)!;
    const store = stores.get(type)!;
    const gr = `${type.resource}.${type.group}`;
    const input = (body ?? {}) as {
      metadata?: {
        name?: string;
        resourceVersion?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
      };
      spec?: Record<string, unknown>;
      status?: Record<string, unknown>;
    };
    const invalid = (spec: Record<string, unknown> | undefined, name: string): boolean => {
      const missing = custom.required.filter((field) => typeof spec?.[field] !== 'string' || spec[field] === '');
      if (missing.length === 0) return false;
      const causes = missing.map((field) => ({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: `spec.${field}`,
      }));
      sendJson(response, 422, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'Invalid',
        code: 422,
        message: `${type.kind} "${name}" is invalid: ${missing.map((field) => `spec.${field}: Required value`).join(', ')}`,
        details: { name, group: type.group, kind: type.kind, causes },
      });
      return true;
    };
    const store_ = (object: StoredObject, event: WatchEvent['type'], status: number) => {
      const rv = ++resourceVersion;
      object.metadata.resourceVersion = String(rv);
      if (event === 'DELETED') store.delete(keyOf(object.metadata.namespace, object.metadata.name));
      else store.set(keyOf(object.metadata.namespace, object.metadata.name), object);
      publish(type, { rv, type: event, object });
      sendJson(response, status, withKind(type, object));
    };
    if (route.kind === 'collection') {
      const name = input.metadata?.name ?? '';
      if (method !== 'POST' || route.namespace === undefined) {
        sendStatus(
          response,
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
        return;
      }
      if (store.has(keyOf(route.namespace, name))) {
        sendStatus(response, 409, 'AlreadyExists', `${gr} "${name}" already exists`, {
          name,
          group: type.group,
          kind: type.resource,
        });
        return;
      }
      const spec = { ...custom.defaults, ...input.spec };
      if (invalid(spec, name)) return;
      store_(
        {
          metadata: {
            name,
            namespace: route.namespace,
            uid: randomUuid(),
            resourceVersion: '',
            generation: 1,
            creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            ...(input.metadata?.labels !== undefined ? { labels: input.metadata.labels } : {}),
            ...(input.metadata?.annotations !== undefined ? { annotations: input.metadata.annotations } : {}),
          },
          spec,
        },
        'ADDED',
        201,
      );
      return;
    }
    const existing = store.get(keyOf(route.namespace, route.name));
    if (existing === undefined) {
      sendStatus(response, 404, 'NotFound', `${gr} "${route.name}" not found`, {
        name: route.name,
        group: type.group,
        kind: type.resource,
      });
      return;
    }
    if (method === 'DELETE' && route.kind === 'object') {
      store_(structuredClone(existing), 'DELETED', 200);
      return;
    }
    if (method === 'PATCH' && !contentType.startsWith('application/merge-patch+json')) {
      // NB: custom resources take no strategic merge patch: kube-apiserver answers 415.
      sendStatus(
        response,
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
      return;
    }
    if (method !== 'PUT' && method !== 'PATCH') {
      sendStatus(response, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return;
    }
    const precondition = input.metadata?.resourceVersion;
    if (precondition !== undefined && precondition !== existing.metadata.resourceVersion) {
      sendStatus(
        response,
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${gr} "${route.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: route.name, group: type.group, kind: type.resource },
      );
      return;
    }
    const next = structuredClone(existing);
    if (route.kind === 'status') {
      next.status =
        method === 'PUT'
          ? (input.status ?? {})
          : (mergePatch(existing.status ?? {}, input.status ?? {}) as Record<string, unknown>);
    } else {
      const spec =
        method === 'PUT'
          ? (input.spec ?? {})
          : (mergePatch(existing.spec ?? {}, input.spec ?? {}) as Record<string, unknown>);
      next.spec = { ...custom.defaults, ...spec };
      if (invalid(next.spec, route.name)) return;
      if (input.metadata?.labels !== undefined)
        next.metadata.labels =
          method === 'PUT'
            ? input.metadata.labels
            : (mergePatch(existing.metadata.labels ?? {}, input.metadata.labels) as Record<string, string>);
      if (input.metadata?.annotations !== undefined)
        next.metadata.annotations =
          method === 'PUT'
            ? input.metadata.annotations
            : (mergePatch(existing.metadata.annotations ?? {}, input.metadata.annotations) as Record<string, string>);
      if (JSON.stringify(next.spec) !== JSON.stringify(existing.spec))
        next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    }
    store_(next, 'MODIFIED', 200);
  };

  /**
   * POST, PUT, merge PATCH and DELETE of coordination.k8s.io/v1 Leases, as kube-apiserver's lease registry answers
   * them: a PUT never creates (404), `metadata.resourceVersion` is a precondition (409 Conflict), the spec is
   * validated (422 Invalid) and its MicroTimes are decoded (400) and written back with six fractional digits.
   */
  const writeLease = (
    route: WritableRoute,
    method: string,
    contentType: string,
    body: unknown,
    response: ServerResponse,
  ) => {
    const { type } = route;
    const store = stores.get(type)!;
    const gr = 'leases.coordination.k8s.io';
    const input = (body ?? {}) as {
      metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
      spec?: Record<string, unknown>;
    };
    const namespace = route.namespace;
    const name = route.kind === 'collection' ? (input.metadata?.name ?? '') : route.name;
    if (forbidden.has(type)) {
      const verb = method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method.toLowerCase();
      sendStatus(
        response,
        403,
        'Forbidden',
        `${gr} ${name === '' ? '' : `"${name}" `}is forbidden: User "${forbiddenUser}" cannot ${verb} resource "leases" in API group "coordination.k8s.io" in the namespace "${namespace ?? ''}"`,
        { ...(name !== '' ? { name } : {}), group: type.group, kind: 'leases' },
      );
      return;
    }
    const details = { name, group: type.group, kind: 'leases' };
    const invalid = (field: string, why: string) =>
      sendJson(response, 422, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Lease.coordination.k8s.io "${name}" is invalid: ${field}: ${why}`,
        reason: 'Invalid',
        details: {
          name,
          group: type.group,
          kind: 'Lease',
          causes: [{ reason: 'FieldValueInvalid', message: why, field }],
        },
        code: 422,
      });
    /** The spec as the server keeps it, or undefined after answering why not. */
    const checked = (spec: Record<string, unknown>): Record<string, unknown> | undefined => {
      const out: Record<string, unknown> = { ...spec };
      for (const field of ['acquireTime', 'renewTime']) {
        const value = spec[field];
        if (value === undefined || value === null) continue;
        const ms = typeof value === 'string' && microTime.test(value) ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(ms)) {
          sendStatus(
            response,
            400,
            'BadRequest',
            `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(JSON.stringify(value))} as "2006-01-02T15:04:05.000000Z07:00": cannot parse`,
          );
          return undefined;
        }
        out[field] = new Date(ms)
          .toISOString()
          .replace(/\.(\d{3})Z$/, `.$1${String(value).match(/\.\d{3}(\d{3})/)?.[1] ?? '000'}Z`);
      }
      const duration = spec.leaseDurationSeconds;
      if (duration !== undefined && (!Number.isInteger(duration) || (duration as number) <= 0)) {
        invalid('spec.leaseDurationSeconds', `Invalid value: ${JSON.stringify(duration)}: must be greater than 0`);
        return undefined;
      }
      const transitions = spec.leaseTransitions;
      if (transitions !== undefined && (!Number.isInteger(transitions) || (transitions as number) < 0)) {
        invalid(
          'spec.leaseTransitions',
          `Invalid value: ${JSON.stringify(transitions)}: must be greater than or equal to 0`,
        );
        return undefined;
      }
      return out;
    };
    const save = (object: StoredObject, event: WatchEvent['type'], status: number) => {
      const rv = ++resourceVersion;
      object.metadata.resourceVersion = String(rv);
      const key = keyOf(object.metadata.namespace, object.metadata.name);
      if (event === 'DELETED') store.delete(key);
      else store.set(key, object);
      publish(type, { rv, type: event, object });
      sendJson(response, status, withKind(type, object));
    };
    if (input.metadata?.namespace !== undefined && input.metadata.namespace !== namespace) {
      sendStatus(
        response,
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
      return;
    }
    if (route.kind === 'collection') {
      if (method !== 'POST' || namespace === undefined) {
        sendStatus(
          response,
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
        return;
      }
      if (name === '') {
        invalid('metadata.name', 'Required value: name or generateName is required');
        return;
      }
      if (store.has(keyOf(namespace, name))) {
        sendStatus(response, 409, 'AlreadyExists', `${gr} "${name}" already exists`, details);
        return;
      }
      const spec = checked(input.spec ?? {});
      if (spec === undefined) return;
      save(
        {
          metadata: {
            name,
            namespace,
            uid: randomUuid(),
            resourceVersion: '',
            creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            ...(input.metadata?.labels !== undefined ? { labels: input.metadata.labels } : {}),
          },
          spec,
        },
        'ADDED',
        201,
      );
      return;
    }
    const existing = store.get(keyOf(namespace, name));
    if (existing === undefined) {
      sendStatus(response, 404, 'NotFound', `${gr} "${name}" not found`, details);
      return;
    }
    if (method === 'DELETE') {
      save(structuredClone(existing), 'DELETED', 200);
      return;
    }
    if (method === 'PATCH' && !contentType.startsWith('application/merge-patch+json')) {
      sendStatus(response, 415, 'UnsupportedMediaType', 'the fake takes only JSON merge patches of Leases');
      return;
    }
    if (method !== 'PUT' && method !== 'PATCH') {
      sendStatus(response, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return;
    }
    if (input.metadata?.name !== undefined && input.metadata.name !== name) {
      sendStatus(
        response,
        400,
        'BadRequest',
        `the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`,
      );
      return;
    }
    const precondition = input.metadata?.resourceVersion;
    if (precondition !== undefined && precondition !== existing.metadata.resourceVersion) {
      sendStatus(
        response,
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${gr} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        details,
      );
      return;
    }
    const spec = checked(
      method === 'PUT'
        ? (input.spec ?? {})
        : (mergePatch(existing.spec ?? {}, input.spec ?? {}) as Record<string, unknown>),
    );
    if (spec === undefined) return;
    const next = structuredClone(existing);
    next.spec = spec;
    if (input.metadata?.labels !== undefined) next.metadata.labels = input.metadata.labels;
    save(next, 'MODIFIED', 200);
  };

  const expired = (rv: number) => ({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `too old resource version: ${rv} (${compactedBelow})`,
    reason: 'Expired',
    code: 410,
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      `  cluster: {server: '${url}', certificate-authority-data: ${Buffer.from(certs.caPem).toString('base64')}}`,
      'users:',
      `- name: fake-admin`,
      `  user: {token: ${token}}`,
      'contexts:',
      '- name: fake',
      '  context: {cluster: fake, user: fake-admin}',
      'current-context: fake',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  return {
    url,
    kubeconfig,
    requests,
    count: (kind, path) => requests.filter((r) => r.kind === kind && (path === undefined || r.path === path)).length,
    aggregateTo(backend) {
      aggregate = backend;
    },
    upsert(resource, input, options = {}) {
      const type = typeOf(resource);
      if (type.namespaced !== (input.namespace !== undefined))
        throw new Error(`${resource} ${type.namespaced ? 'needs' : 'takes no'} namespace`);
      const store = stores.get(type)!;
      const key = keyOf(input.namespace, input.name);
      const existing = store.get(key);
      const rv = ++resourceVersion;
      const object: StoredObject = {
        metadata: {
          name: input.name,
          ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
          uid: existing?.metadata.uid ?? randomUuid(),
          resourceVersion: String(rv),
          creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          ...(input.labels !== undefined ? { labels: { ...input.labels } } : {}),
          ...(customResources.has(type.resource)
            ? {
                generation:
                  existing === undefined
                    ? 1
                    : (existing.metadata.generation ?? 1) +
                      (JSON.stringify(existing.spec) === JSON.stringify(input.spec) ? 0 : 1),
              }
            : {}),
        },
        ...(input.spec !== undefined ? { spec: input.spec } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
      };
      store.set(key, object);
      if (options.announce !== false)
        publish(type, { rv, type: existing === undefined ? 'ADDED' : 'MODIFIED', object });
      return String(rv);
    },
    remove(resource, namespace, name, options = {}) {
      const type = typeOf(resource);
      const store = stores.get(type)!;
      const key = keyOf(type.namespaced ? namespace : undefined, name);
      const existing = store.get(key);
      if (existing === undefined) return;
      store.delete(key);
      const rv = ++resourceVersion;
      if (options.announce !== false)
        publish(type, {
          rv,
          type: 'DELETED',
          object: { ...existing, metadata: { ...existing.metadata, resourceVersion: String(rv) } },
        });
    },
    forbid(resource) {
      forbidden.add(typeOf(resource));
    },
    bookmark() {
      for (const watch of watches) {
        if (!watch.bookmarks) continue;
        sendEvent(watch.response, 'BOOKMARK', {
          kind: watch.type.kind,
          apiVersion: apiVersionOf(watch.type),
          metadata: { resourceVersion: String(resourceVersion), creationTimestamp: null },
        });
      }
    },
    closeWatches() {
      for (const watch of watches) watch.response.end();
    },
    compact() {
      compactedBelow = resourceVersion;
      for (const events of historyOf.values()) events.splice(0, events.length);
    },
    expireWatches() {
      for (const watch of watches) {
        sendEvent(watch.response, 'ERROR', expired(compactedBelow));
        watch.response.end();
      }
    },
    openWatches(resource) {
      const type = typeOf(resource);
      return [...watches].filter((w) => w.type === type).length;
    },
    waitForWatches(resource, n = 1) {
      const type = typeOf(resource);
      return new Promise<void>((resolve) => {
        const check = () => {
          if ([...watches].filter((w) => w.type === type).length < n) return;
          watchListeners.delete(check);
          resolve();
        };
        watchListeners.add(check);
        check();
      });
    },
    async close() {
      for (const watch of watches) watch.response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

type WritableRoute =
  | { readonly kind: 'collection'; readonly type: ResourceType; readonly namespace: string | undefined }
  | {
      readonly kind: 'object' | 'status';
      readonly type: ResourceType;
      readonly namespace: string;
      readonly name: string;
    };

type Route =
  | { readonly kind: 'discovery'; readonly body: unknown }
  | { readonly kind: 'collection'; readonly type: ResourceType; readonly namespace: string | undefined }
  | {
      readonly kind: 'object' | 'scale' | 'status';
      readonly type: ResourceType;
      readonly namespace: string;
      readonly name: string;
    }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'metricsGroup'; readonly group: string }
  | { readonly kind: 'proxy' }
  | { readonly kind: 'other' };

/** Who the fake says is denied: the adapter's ServiceAccount, as in the deploy manifests. */
const forbiddenUser = 'system:serviceaccount:custom-metrics:metrics-adapter';

/** NB: the aggregator's proxy (spec §7.2): the path and query as sent, to the APIService's backend. */
function proxy(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  backend: { readonly url: string; readonly ca: string },
): void {
  const target = new URL(`${url.pathname}${url.search}`, backend.url);
  const upstream = httpsRequest(
    target,
    { method: 'GET', ca: backend.ca, headers: { accept: request.headers.accept ?? 'application/json' } },
    (res) => {
      response.writeHead(res.statusCode ?? 502, { 'content-type': res.headers['content-type'] ?? 'application/json' });
      res.pipe(response);
    },
  );
  upstream.on('error', () => {
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('service unavailable\n');
  });
  upstream.end();
}

/**
 * An autoscaling/v1 Scale as the apps registries build it: spec.replicas and status.replicas from the
 * object, status.selector from spec.selector printed as a label selector string (`LabelSelectorAsSelector`).
 */
function scaleOf(object: StoredObject) {
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  const selector = spec.selector as LabelSelectorInput | undefined;
  const text = selector === undefined ? '' : labelSelectorToSelector(selector).toString();
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, ...(namespace !== undefined ? { namespace } : {}), uid, resourceVersion, creationTimestamp },
    // NB: autoscaling/v1 ScaleSpec.replicas is omitempty; ScaleStatus.replicas is not, selector is.
    spec: typeof spec.replicas === 'number' && spec.replicas !== 0 ? { replicas: spec.replicas } : {},
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      ...(text !== '' ? { selector: text } : {}),
    },
  };
}

function routeFor(path: string, aggregated: boolean, groups: readonly string[]): Route {
  const parts = path.split('/').filter((p) => p !== '');
  if (path === '/api')
    return {
      kind: 'discovery',
      body: {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
      },
    };
  if (path === '/apis') return { kind: 'discovery', body: groupList(groups) };
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) [group, version, rest] = ['', parts[1]!, parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
  else if (parts[0] === 'apis' && parts.length === 2 && isMetricsGroup(parts[1]!)) {
    // NB: the aggregator answers the group document itself, from the APIServices it knows (spec §3.1).
    return aggregated && groups.includes(parts[1]!)
      ? { kind: 'metricsGroup', group: parts[1]! }
      : { kind: 'unavailable' };
  } else return { kind: 'other' };
  if (isMetricsGroup(group)) return aggregated && groups.includes(group) ? { kind: 'proxy' } : { kind: 'unavailable' };
  const types = fakeResourceTypes.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return { kind: 'other' };
  if (rest.length === 0) return { kind: 'discovery', body: resourceList(group, version, types) };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 4 && rest.length <= 5) {
    const type = types.find((t) => t.resource === rest[2] && t.namespaced);
    if (type === undefined) return { kind: 'other' };
    if (rest.length === 4) return { kind: 'object', type, namespace: rest[1]!, name: rest[3]! };
    if (rest[4] === 'scale') return { kind: 'scale', type, namespace: rest[1]!, name: rest[3]! };
    if (rest[4] === 'status' && type.subresources.includes('status'))
      return { kind: 'status', type, namespace: rest[1]!, name: rest[3]! };
    return { kind: 'other' };
  }
  if (rest[0] === 'namespaces' && rest.length === 3) [namespace, rest] = [rest[1], rest.slice(2)];
  const type = rest.length === 1 ? types.find((t) => t.resource === rest[0]) : undefined;
  if (type === undefined || (namespace !== undefined && !type.namespaced)) return { kind: 'other' };
  return { kind: 'collection', type, namespace };
}

function isMetricsGroup(group: string): boolean {
  return group === 'metrics.k8s.io' || group.endsWith('.metrics.k8s.io');
}

function groupList(order: readonly string[]) {
  const groups = order.map((name) => {
    const versions = name.endsWith('metrics.k8s.io')
      ? name.startsWith('custom')
        ? ['v1beta2', 'v1beta1']
        : ['v1beta1']
      : [...new Set(fakeResourceTypes.filter((t) => t.group === name).map((t) => t.version))];
    const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: entries, preferredVersion: entries[0] };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function resourceList(group: string, version: string, types: readonly ResourceType[]) {
  const resources = types.flatMap((t) => [
    {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: allVerbs,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(t.resource === 'pods' || t.resource === 'deployments' ? { categories: ['all'] } : {}),
    },
    ...t.subresources.map((sub) => ({
      name: `${t.resource}/${sub}`,
      singularName: '',
      namespaced: t.namespaced,
      kind: sub === 'scale' ? 'Scale' : t.kind,
      verbs: ['get', 'patch', 'update'],
    })),
  ]);
  // NB: the core group's list has no apiVersion field; the named groups' lists have "v1".
  return group === ''
    ? { kind: 'APIResourceList', groupVersion: version, resources }
    : { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
}

function visible(
  watch: { readonly namespace: string | undefined; readonly selector: Selector },
  object: StoredObject,
): boolean {
  if (watch.namespace !== undefined && object.metadata.namespace !== watch.namespace) return false;
  return watch.selector.matches(object.metadata.labels ?? {});
}

function sendEvent(response: ServerResponse, type: string, object: unknown): void {
  response.write(`${JSON.stringify({ type, object })}\n`);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendStatus(
  response: ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: Record<string, string>,
): void {
  sendJson(response, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details !== undefined ? { details } : {}),
    code,
  });
}

/** RFC 7386 JSON merge patch: objects merge, null removes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', reject);
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(new Error(`the request body is not JSON: ${text.slice(0, 80)}`));
      }
    });
  });
}

/** metav1.MicroTime as kube-apiserver decodes it: RFC 3339, fractional seconds optional. */
const microTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function randomUuid(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
