/**
 * Batched JSON writes, `POST /write-metrics`: one request carrying many values of the write API, each entry with the
 * fields of one `POST /write-metrics/...` or `/write-external-metrics/...` call. Every entry is checked with the
 * write API's rules before any is stored, and the first bad one is named by its index (`items[3].metric: ...`).
 * @module
 */
import { z } from 'zod';
import { badRequest } from '../api/errors.js';
import { dns1123LabelProblem, dns1123SubdomainProblem, metricNameProblem } from '../api/names.js';
import type { Labels } from '../api/types.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { CustomMetricWrite, ExternalMetricWrite, WriteBatch } from '../providers/write.js';
import { parseQuantityJson, type Quantity } from '../quantity/index.js';
import { labelKeyProblems, labelValueProblems } from '../selector/label-validation.js';

const labels = z.record(z.string(), z.string());
const value = z.union([z.string(), z.number()]);

const customEntry = z
  .object({
    /** Empty or absent for a cluster-scoped object and for a namespace's own metric. */
    namespace: z.string().optional(),
    /** `pods`, `deployments.apps`, `nodes`, `namespaces` (the namespace itself, named by `name`). */
    resource: z.string(),
    name: z.string(),
    metric: z.string(),
    value,
    labels: labels.optional(),
    objectLabels: labels.optional(),
  })
  .strict();

const externalEntry = z
  .object({
    external: z.literal(true),
    /** Absent: the series is visible in every namespace. */
    namespace: z.string().optional(),
    metric: z.string(),
    value,
    labels: labels.optional(),
  })
  .strict();

const batchSchema = z.object({ items: z.array(z.union([externalEntry, customEntry])).max(100_000) }).strict();

/** Parses and checks a whole batch; throws a 400 naming the first bad entry. */
export function parseWriteBatch(text: string, mapper: ResourceMapper, timestamp: number): WriteBatch {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw badRequest(`invalid JSON body: ${(error as Error).message}`, { cause: error });
  }
  const parsed = batchSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
      .join('');
    throw badRequest(
      `invalid batch write at ${where || 'the top'}: ${issue.message} (a batch is {"items": [{"namespace", "resource", "name", "metric", "value", "labels", "objectLabels"} or {"external": true, "namespace", "metric", "value", "labels"}, ...]})`,
    );
  }
  const custom: CustomMetricWrite[] = [];
  const external: ExternalMetricWrite[] = [];
  parsed.data.items.forEach((entry, index) => {
    const at = `items[${index}]`;
    const namespace = entry.namespace ?? '';
    if (namespace !== '') check(at, 'namespace', namespace, dns1123LabelProblem);
    check(at, 'metric', entry.metric, metricNameProblem);
    const quantity = quantityOf(at, entry.value);
    if ('external' in entry) {
      external.push({
        namespace: namespace === '' ? null : namespace,
        metric: entry.metric,
        labels: checkedLabels(at, 'labels', entry.labels ?? {}),
        value: quantity,
        timestamp,
      });
      return;
    }
    const groupResource = mapper.resourceFor(entry.resource);
    check(at, 'resource', groupResource.resource, dns1123LabelProblem);
    if (groupResource.group !== '') check(at, 'resource', groupResource.group, dns1123SubdomainProblem);
    const ofNamespace = groupResource.group === '' && groupResource.resource === 'namespaces';
    check(at, 'name', entry.name, ofNamespace ? dns1123LabelProblem : dns1123SubdomainProblem);
    if (ofNamespace && namespace !== '')
      throw badRequest(`${at}.namespace: must be empty for a namespace's own metric (the namespace is \`name\`)`);
    custom.push({
      info: { groupResource, namespaced: namespace !== '', metric: entry.metric },
      name: { namespace, name: entry.name },
      metricLabels: checkedLabels(at, 'labels', entry.labels ?? {}),
      objectLabels:
        entry.objectLabels === undefined ? undefined : checkedLabels(at, 'objectLabels', entry.objectLabels),
      value: quantity,
      timestamp,
    });
  });
  return { custom, external };
}

function check(at: string, field: string, text: string, problemOf: (value: string) => string | undefined): void {
  const problem = problemOf(text);
  if (problem !== undefined) throw badRequest(`${at}.${field}: invalid ${JSON.stringify(text)}: ${problem}`);
}

/**
 * NB: a JSON number has gone through a double here; a string keeps the exact quantity, as the write API's body does.
 */
function quantityOf(at: string, input: string | number): Quantity {
  try {
    return parseQuantityJson(typeof input === 'string' ? JSON.stringify(input) : String(input));
  } catch (error) {
    throw badRequest(`${at}.value: ${(error as Error).message}`, { cause: error });
  }
}

function checkedLabels(at: string, field: string, input: Record<string, string>): Labels {
  for (const [key, text] of Object.entries(input)) {
    const problems = [...labelKeyProblems(key), ...labelValueProblems(text)];
    if (problems.length > 0)
      throw badRequest(
        `${at}.${field}: invalid label ${JSON.stringify(key)}=${JSON.stringify(text)}: ${problems.join('; ')}`,
      );
  }
  return input;
}
