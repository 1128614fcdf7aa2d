/**
 * The HPA the status page's explain form starts with, built from what the adapter serves, so a newcomer can
 * press Explain once and read a real answer: the first custom metric of pods as a Pods metric whose target is
 * the pods' current average (the answer is then "no change"); else the first external series as an External
 * metric whose target is its current value; else a Resource cpu example.
 * @module
 */
import { formatQuantity, parseQuantity } from '../../quantity/index.js';
import type { MetricSnapshot, SnapshotValue } from './metric-snapshot.js';

export interface SampleHpa {
  /** autoscaling/v2 YAML, opening with a comment that says what it was built from. */
  readonly yaml: string;
  /** For the form's current replicas field. */
  readonly currentReplicas: string;
}

const podsPrefix = 'custom:pods:';
const milli = 1_000_000n;

/** YAML accepts JSON strings as flow scalars, so any name or label stays one scalar. */
const quote = (text: string) => JSON.stringify(text);

function nanoOf(value: string): bigint | undefined {
  try {
    return parseQuantity(value).nano;
  } catch {
    return undefined;
  }
}

function document(comment: string, namespace: string, metric: string, maxReplicas = 10): string {
  return `# ${comment}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: sample, namespace: ${quote(namespace)}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: sample}
  minReplicas: 1
  maxReplicas: ${maxReplicas}
  metrics:
${metric}`;
}

function fromPods(m: MetricSnapshot): SampleHpa | undefined {
  const namespace = m.values.find((v) => v.namespace)?.namespace;
  if (namespace === undefined) return undefined;
  const nanos = m.values
    .filter((v) => v.namespace === namespace)
    .map((v) => nanoOf(v.value))
    .filter((n): n is bigint => n !== undefined);
  if (nanos.length === 0) return undefined;
  // NB: the HPA compares in milli-units (replica_calculator.go GetMetricReplicas); a target rounded up to whole
  // milli-units keeps the ratio within the tolerance, so the sample answers "no change".
  const average = nanos.reduce((a, b) => a + b, 0n) / BigInt(nanos.length);
  const target = average <= 0n ? milli : ((average + milli - 1n) / milli) * milli;
  const metric = m.key.slice(podsPrefix.length);
  return {
    yaml: document(
      `A sample built from the Pods metric ${metric} in ${namespace}:\n# its target is the pods' current average, so the answer is "no change". Edit it and press Explain again.`,
      namespace,
      `  - type: Pods
    pods:
      metric: {name: ${quote(metric)}}
      target: {type: AverageValue, averageValue: ${quote(formatQuantity(target, 'DecimalSI'))}}
`,
      // NB: as many replicas as pods with a value, so the bounds do not turn "no change" into a rescale.
      Math.max(10, nanos.length),
    ),
    currentReplicas: String(nanos.length),
  };
}

function fromExternal(m: MetricSnapshot, series: SnapshotValue): SampleHpa {
  const metric = m.key.slice('external:'.length);
  const namespace = series.namespace || 'default';
  const labels = Object.entries(series.labels ?? {});
  const selector =
    labels.length === 0
      ? ''
      : `, selector: {matchLabels: {${labels.map(([k, v]) => `${quote(k)}: ${quote(v)}`).join(', ')}}}`;
  const value = nanoOf(series.value) ?? 0n;
  return {
    yaml: document(
      `A sample built from the external metric ${metric}:\n# its target is the series' current value, so the answer is "no change". Edit it and press Explain again.`,
      namespace,
      `  - type: External
    external:
      metric: {name: ${quote(metric)}${selector}}
      target: {type: Value, value: ${quote(formatQuantity(value <= 0n ? milli : value, 'DecimalSI'))}}
`,
    ),
    currentReplicas: '1',
  };
}

const resourceExample: SampleHpa = {
  yaml: document(
    'An example: this adapter serves no custom metric of pods and no external metric yet.\n# Edit it and press Explain.',
    'default',
    `  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 80}
`,
  ),
  currentReplicas: '1',
};

/** The form's starting HPA for the metrics in `metrics` (as the page shows them). */
export function sampleHpa(metrics: readonly MetricSnapshot[]): SampleHpa {
  for (const m of metrics) {
    if (m.api !== 'custom' || !m.key.startsWith(podsPrefix) || m.error !== undefined) continue;
    const sample = fromPods(m);
    if (sample !== undefined) return sample;
  }
  for (const m of metrics) {
    if (m.api !== 'external' || m.error !== undefined) continue;
    const series = m.values.find((v) => nanoOf(v.value) !== undefined);
    if (series !== undefined) return fromExternal(m, series);
  }
  return resourceExample;
}
