/**
 * Reads what another metrics API server answers: MetricValueList (v1beta1 and v1beta2),
 * ExternalMetricValueList, APIResourceList and Status, into the provider contract's version-neutral
 * values and StatusErrors. Quantities are re-parsed so what we serve is canonical whatever the other
 * server wrote.
 * @module
 */
import { z } from 'zod';
import { StatusError, serviceUnavailable, type StatusReason } from '../../api/errors.js';
import { parseGroupResource } from '../../kube/resource-mapper.js';
import { parseQuantity } from '../../quantity/index.js';
import type { CustomMetricInfo, ExternalMetricInfo, ExternalMetricValue, MetricValue } from '../provider.js';
import type { UpstreamResponse } from '../http/upstream-client.js';

const labelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string(),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .nullable()
  .optional();

const describedObject = z.object({
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string(),
  apiVersion: z.string().optional(),
});

const v1beta2Item = z.object({
  describedObject,
  metric: z.object({ name: z.string(), selector: labelSelector }),
  timestamp: z.string(),
  windowSeconds: z.number().optional(),
  value: z.string(),
});

const v1beta1Item = z.object({
  describedObject,
  metricName: z.string(),
  timestamp: z.string(),
  window: z.number().optional(),
  value: z.string(),
  selector: labelSelector,
});

const externalItem = z.object({
  metricName: z.string(),
  metricLabels: z.record(z.string(), z.string()).nullable().optional(),
  timestamp: z.string(),
  window: z.number().optional(),
  value: z.string(),
});

const resourceList = z.object({
  resources: z
    .array(z.object({ name: z.string(), namespaced: z.boolean().optional() }))
    .nullable()
    .optional(),
});

const status = z.object({
  kind: z.literal('Status'),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
});

function parseJson(response: UpstreamResponse, what: string): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch (error) {
    throw serviceUnavailable(`the forwarded metrics server answered ${what} that is not JSON`, error);
  }
}

/** A non-2xx answer as the StatusError it carries, so the caller sees the other server's own code and message. */
export function upstreamError(response: UpstreamResponse): StatusError {
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    body = undefined;
  }
  const parsed = status.safeParse(body);
  const code = parsed.success && parsed.data.code !== undefined ? parsed.data.code : response.status;
  const reason = (
    parsed.success && parsed.data.reason
      ? parsed.data.reason
      : code === 404
        ? 'NotFound'
        : code >= 500
          ? 'ServiceUnavailable'
          : 'BadRequest'
  ) as StatusReason;
  const message =
    parsed.success && parsed.data.message
      ? parsed.data.message
      : `the forwarded metrics server answered HTTP ${response.status}`;
  return new StatusError(code, reason, message);
}

function epochMs(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? Date.now() : ms;
}

function canonical(value: string): string {
  return parseQuantity(value).toString();
}

function items<T>(response: UpstreamResponse, schema: z.ZodType<T>, what: string): T[] {
  const parsed = z.object({ items: z.array(schema).nullable() }).safeParse(parseJson(response, what));
  if (!parsed.success)
    throw serviceUnavailable(
      `the forwarded metrics server answered a malformed ${what}: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  return parsed.data.items ?? [];
}

export function decodeMetricValueList(response: UpstreamResponse, version: 'v1beta1' | 'v1beta2'): MetricValue[] {
  const toObject = (o: z.infer<typeof describedObject>) => ({
    kind: o.kind ?? '',
    ...(o.namespace ? { namespace: o.namespace } : {}),
    name: o.name,
    apiVersion: o.apiVersion ?? '',
  });
  if (version === 'v1beta2') {
    return items(response, v1beta2Item, 'MetricValueList').map((item) => ({
      describedObject: toObject(item.describedObject),
      metric: { name: item.metric.name, selector: item.metric.selector ?? null },
      timestamp: epochMs(item.timestamp),
      ...(item.windowSeconds !== undefined ? { windowSeconds: item.windowSeconds } : {}),
      value: canonical(item.value),
    }));
  }
  return items(response, v1beta1Item, 'MetricValueList').map((item) => ({
    describedObject: toObject(item.describedObject),
    metric: { name: item.metricName, selector: item.selector ?? null },
    timestamp: epochMs(item.timestamp),
    ...(item.window !== undefined ? { windowSeconds: item.window } : {}),
    value: canonical(item.value),
  }));
}

export function decodeExternalMetricValueList(response: UpstreamResponse): ExternalMetricValue[] {
  return items(response, externalItem, 'ExternalMetricValueList').map((item) => ({
    metricName: item.metricName,
    metricLabels: item.metricLabels ?? {},
    timestamp: epochMs(item.timestamp),
    ...(item.window !== undefined ? { windowSeconds: item.window } : {}),
    value: canonical(item.value),
  }));
}

function resources(response: UpstreamResponse): { name: string; namespaced: boolean }[] {
  const parsed = resourceList.safeParse(parseJson(response, 'an APIResourceList'));
  if (!parsed.success) throw serviceUnavailable('the forwarded metrics server answered a malformed APIResourceList');
  return (parsed.data.resources ?? []).map((r) => ({ name: r.name, namespaced: r.namespaced ?? false }));
}

/**
 * `pods/http_requests` → pods, http_requests. NB: an entry without a `/` is the placeholder that CMAS and
 * we list when nothing else exists (spec §3.2), not a metric.
 */
export function decodeCustomResourceList(response: UpstreamResponse): CustomMetricInfo[] {
  const infos: CustomMetricInfo[] = [];
  for (const { name, namespaced } of resources(response)) {
    const slash = name.indexOf('/');
    if (slash <= 0 || slash === name.length - 1) continue;
    infos.push({ groupResource: parseGroupResource(name.slice(0, slash)), namespaced, metric: name.slice(slash + 1) });
  }
  return infos;
}

/** NB: `externalmetrics` is the CMAS placeholder; a real metric of that name would be shadowed, as in CMAS itself. */
export function decodeExternalResourceList(response: UpstreamResponse): ExternalMetricInfo[] {
  return resources(response)
    .filter((r) => r.name !== 'externalmetrics' && r.name !== '')
    .map((r) => ({ metric: r.name }));
}
