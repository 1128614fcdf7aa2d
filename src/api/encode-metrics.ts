/**
 * Encoders for MetricValueList (custom v1beta1 and v1beta2) and ExternalMetricValueList. Bodies are
 * built as strings in Go's struct field order, because this runs for every HPA query and
 * JSON.stringify of freshly built objects costs an allocation per field; the output is identical to
 * `goJson` of the wire types in ./types.ts (the tests check that).
 * @module
 */
import { goString } from './json.js';
import { formatTimestamp } from './timestamp.js';
import type { CustomMetricsVersion, LabelSelector, Labels, ObjectReference } from './types.js';

/** What the encoder needs of a custom metric value (the provider's MetricValue has this shape). */
export interface CustomMetricValueSource {
  readonly describedObject: ObjectReference;
  readonly metric: { readonly name: string; readonly selector: LabelSelector | null };
  readonly timestamp: number;
  readonly windowSeconds?: number;
  readonly value: string;
}

/** What the encoder needs of an external metric value. */
export interface ExternalMetricValueSource {
  readonly metricName: string;
  readonly metricLabels: Labels;
  readonly timestamp: number;
  readonly windowSeconds?: number;
  readonly value: string;
}

const listHeads: Readonly<Record<CustomMetricsVersion, string>> = {
  v1beta1: '{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},"items":[',
  v1beta2: '{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[',
};
const externalHead =
  '{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[';
const listTail = ']}\n';

/**
 * Memoizes the JSON of values that repeat across items (kind, apiVersion, namespace, metric name,
 * selector): a list of 100 pods usually has one distinct value of each.
 */
class RepeatCache<K> {
  private lastKey: K | undefined;
  private lastText = '';
  constructor(private readonly encode: (key: K) => string) {}
  get(key: K): string {
    if (key !== this.lastKey || this.lastText === '') {
      this.lastKey = key;
      this.lastText = this.encode(key);
    }
    return this.lastText;
  }
}

/** NB: metav1.LabelSelector: matchLabels (sorted map) then matchExpressions, both omitempty; values omitempty. */
function encodeSelector(selector: LabelSelector | null): string {
  if (selector === null) return 'null';
  const parts: string[] = [];
  if (selector.matchLabels && Object.keys(selector.matchLabels).length > 0) {
    parts.push(`"matchLabels":${goLabels(selector.matchLabels)}`);
  }
  if (selector.matchExpressions && selector.matchExpressions.length > 0) {
    const expressions = selector.matchExpressions.map((e) => {
      const values = e.values && e.values.length > 0 ? `,"values":[${e.values.map(goString).join(',')}]` : '';
      return `{"key":${goString(e.key)},"operator":${goString(e.operator)}${values}}`;
    });
    parts.push(`"matchExpressions":[${expressions.join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

/** Memoizes the opening of `describedObject` for consecutive items of the same kind and namespace. */
class DescribedObjectHeads {
  private kind: string | undefined;
  private namespace: string | undefined;
  private text = '';
  get(ref: ObjectReference): string {
    if (ref.kind !== this.kind || ref.namespace !== this.namespace) {
      this.kind = ref.kind;
      this.namespace = ref.namespace;
      // NB: core/v1 ObjectReference field order is kind, namespace, name, (uid,) apiVersion; namespace is omitempty.
      this.text = ref.namespace
        ? `{"kind":${goString(ref.kind)},"namespace":${goString(ref.namespace)},"name":`
        : `{"kind":${goString(ref.kind)},"name":`;
    }
    return this.text;
  }
}

/** A MetricValueList body in the given version, newline-terminated like Go's encoder. */
export function encodeMetricValueList(version: CustomMetricsVersion, values: readonly CustomMetricValueSource[]): string {
  const heads = new DescribedObjectHeads();
  const apiVersions = new RepeatCache<string>(goString);
  const names = new RepeatCache<string>(goString);
  const selectors = new RepeatCache<LabelSelector | null>(encodeSelector);
  let out = listHeads[version];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const ref = v.describedObject;
    if (i > 0) out += ',';
    out += `{"describedObject":${heads.get(ref)}${goString(ref.name)},"apiVersion":${apiVersions.get(ref.apiVersion)}}`;
    const ts = formatTimestamp(v.timestamp);
    if (version === 'v1beta1') {
      out += `,"metricName":${names.get(v.metric.name)},"timestamp":"${ts}"`;
      if (v.windowSeconds) out += `,"window":${v.windowSeconds}`;
      out += `,"value":"${v.value}","selector":${selectors.get(v.metric.selector)}}`;
    } else {
      out += `,"metric":{"name":${names.get(v.metric.name)},"selector":${selectors.get(v.metric.selector)}},"timestamp":"${ts}"`;
      if (v.windowSeconds) out += `,"windowSeconds":${v.windowSeconds}`;
      out += `,"value":"${v.value}"}`;
    }
  }
  return out + listTail;
}

/** An ExternalMetricValueList body, newline-terminated like Go's encoder. */
export function encodeExternalMetricValueList(values: readonly ExternalMetricValueSource[]): string {
  const names = new RepeatCache<string>(goString);
  let out = externalHead;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) out += ',';
    out += `{"metricName":${names.get(v.metricName)},"metricLabels":${goLabels(v.metricLabels)},"timestamp":"${formatTimestamp(v.timestamp)}"`;
    if (v.windowSeconds) out += `,"window":${v.windowSeconds}`;
    out += `,"value":"${v.value}"}`;
  }
  return out + listTail;
}

/** NB: Go marshals map keys sorted; JSON.stringify keeps insertion order, so sort first. */
function goLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '{}';
  keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out += `${i > 0 ? ',' : ''}${goString(k)}:${goString(labels[k]!)}`;
  }
  return `${out}}`;
}
