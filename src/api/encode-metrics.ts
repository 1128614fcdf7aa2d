/**
 * Encoders for MetricValueList (custom v1beta1 and v1beta2) and ExternalMetricValueList. Bodies are
 * built as strings in Go's struct field order, because this runs for every HPA query and
 * JSON.stringify of freshly built objects costs an allocation per field; the output is identical to
 * `goJson` of the wire types in ./types.ts (the tests check that). They return Buffers: when every
 * string written was ASCII (names are DNS labels, values are quantities) the latin1 encoder turns the
 * concatenated string into bytes about twice as fast as the UTF-8 one, which matters at 20 KB a response.
 * @module
 */
import { answerBodies } from './body-pool.js';
import { BodyWriter } from './body-writer.js';
import { heldBytes, type HeldList, type ItemArena } from './item-arena.js';
import { formatTimestamp } from './timestamp.js';
import {
  externalMetricsVersion,
  type CustomMetricsVersion,
  type ItemEncodings,
  type LabelSelector,
  type Labels,
  type ObjectReference,
} from './types.js';

/** What the encoder needs of a custom metric value (the provider's MetricValue has this shape). */
export interface CustomMetricValueSource {
  readonly describedObject: ObjectReference;
  readonly metric: { readonly name: string; readonly selector: LabelSelector | null };
  readonly timestamp: number;
  readonly windowSeconds?: number;
  readonly value: string;
  /** Where this value's bytes are kept once encoded; only on a value that never changes. */
  readonly encodings?: ItemEncodings;
}

/** What the encoder needs of an external metric value. */
export interface ExternalMetricValueSource {
  readonly metricName: string;
  readonly metricLabels: Labels;
  readonly timestamp: number;
  readonly windowSeconds?: number;
  readonly value: string;
  /** Where this value's bytes are kept once encoded; only on a value that never changes. */
  readonly encodings?: ItemEncodings;
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
  // Stryker disable next-line StringLiteral: equivalent, the text is written before it is first read (keys are never
  // undefined).
  private lastText = '';
  constructor(private readonly encode: (key: K) => string) {}
  get(key: K): string {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: equivalent, the cache only saves
    // time; encoding again gives the same text.
    if (key !== this.lastKey || this.lastText === '') {
      this.lastKey = key;
      this.lastText = this.encode(key);
    }
    return this.lastText;
  }
}

/** NB: metav1.LabelSelector: matchLabels (sorted map) then matchExpressions, both omitempty; values omitempty. */
function encodeSelector(selector: LabelSelector | null, goString: (s: string) => string): string {
  if (selector === null) return 'null';
  const parts: string[] = [];
  if (selector.matchLabels && Object.keys(selector.matchLabels).length > 0) {
    parts.push(`"matchLabels":${goLabels(selector.matchLabels, goString)}`);
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
  constructor(private readonly goString: (s: string) => string) {}
  private kind: string | undefined;
  private namespace: string | undefined;
  // Stryker disable next-line StringLiteral: equivalent, the first call always writes the text (no kind is undefined).
  private text = '';
  get(ref: ObjectReference): string {
    // Stryker disable next-line ConditionalExpression: `true` is equivalent, the cache only saves time; `false` is
    // killed by the namespace test.
    if (ref.kind !== this.kind || ref.namespace !== this.namespace) {
      this.kind = ref.kind;
      this.namespace = ref.namespace;
      // NB: core/v1 ObjectReference field order is kind, namespace, name, (uid,) apiVersion; namespace is omitempty.
      this.text = ref.namespace
        ? `{"kind":${this.goString(ref.kind)},"namespace":${this.goString(ref.namespace)},"name":`
        : `{"kind":${this.goString(ref.kind)},"name":`;
    }
    return this.text;
  }
}

/**
 * A MetricValueList body in the given version, newline-terminated like Go's encoder. When every value carries
 * `encodings`, the body is assembled from each value's bytes ({@link assembleList}). With `pooled` the bytes are in
 * the answer pool's memory ({@link answerBodies}): for a body written once, whose writer releases it.
 */
export function encodeMetricValueList(
  version: CustomMetricsVersion,
  values: readonly CustomMetricValueSource[],
  pooled = false,
): Buffer {
  const held = (values as HeldList<CustomMetricValueSource>)[heldBytes];
  if (held !== undefined && held.changes === held.arenas.changes && held.numbers.length === values.length) {
    const arena = held.arenas.of(version);
    return assembleHeld(listHeadBytes[version], values, arena, held.numbers, pooled, () => encoderFor(version));
  }
  if (everyHasEncodings(values))
    return assembleList(listHeadBytes[version], values, version, pooled, () => encoderFor(version));
  const writer = new BodyWriter();
  const encodeItem = itemEncoder(version, writer.quote);
  let out = listHeads[version];
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += encodeItem(values[i]!);
  }
  return writer.finish(out + listTail, pooled);
}

/** An item encoder with a writer of its own, for the items an assembly finds without bytes. */
const encoderFor = (version: CustomMetricsVersion) => itemEncoder(version, new BodyWriter().quote);

const listHeadBytes: Readonly<Record<CustomMetricsVersion, Buffer>> = {
  v1beta1: Buffer.from(listHeads.v1beta1),
  v1beta2: Buffer.from(listHeads.v1beta2),
};
const externalHeadBytes = Buffer.from(externalHead);
const listTailBytes = Buffer.from(listTail);
const comma = 0x2c;

function everyHasEncodings(values: readonly { readonly encodings?: ItemEncodings }[]): boolean {
  if (values.length === 0) return false;
  for (let i = 0; i < values.length; i++) if (values[i]!.encodings === undefined) return false;
  return true;
}

/**
 * A list body assembled from each value's bytes, encoded and kept in the value on the first answer that holds it: an
 * answer that missed every cache then costs a copy of bytes, not a serialization. NB: bytes, not strings: flattening a
 * 20 KB string of parts spread over the heap costs about twice the copy.
 */
function assembleList<V extends { readonly encodings?: ItemEncodings }>(
  head: Buffer,
  values: readonly V[],
  version: CustomMetricsVersion,
  pooled: boolean,
  makeEncoder: () => (value: V) => string,
): Buffer {
  // NB: made only when a value has no bytes yet; an answer of held values allocates no encoder.
  let encodeItem: ((value: V) => string) | undefined;
  const items = new Array<Buffer>(values.length);
  let length = head.length + values.length - 1 + listTailBytes.length;
  for (let i = 0; i < values.length; i++) {
    const encodings = values[i]!.encodings!;
    let bytes = encodings[version];
    if (bytes === undefined) {
      encodeItem ??= makeEncoder();
      bytes = Buffer.from(encodeItem(values[i]!), 'utf8');
      encodings[version] = bytes;
    }
    items[i] = bytes;
    length += bytes.length;
  }
  const body = pooled ? answerBodies.take(length) : Buffer.allocUnsafe(length);
  body.set(head, 0);
  let offset = head.length;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body[offset++] = comma;
    body.set(items[i]!, offset);
    offset += items[i]!.length;
  }
  body.set(listTailBytes, offset);
  return body;
}

/**
 * A list body from the items' bytes kept in `arena` (`numbers[i]` is `values[i]`'s item number), encoding and keeping
 * those not kept yet.
 */
function assembleHeld<V>(
  head: Buffer,
  values: readonly V[],
  arena: ItemArena,
  numbers: readonly number[],
  pooled: boolean,
  makeEncoder: () => (value: V) => string,
): Buffer {
  // NB: made only when an item has no bytes yet; an answer of kept items allocates no encoder.
  let encodeItem: ((value: V) => string) | undefined;
  // NB: the items' part ends with a comma (each kept item has one), which the list's tail overwrites.
  const separators = values.length > 0 ? 1 : 0;
  let length = head.length - separators + listTailBytes.length;
  for (let i = 0; i < values.length; i++) {
    const kept = arena.lengthOf(numbers[i]!);
    if (kept !== 0) {
      length += kept;
      continue;
    }
    encodeItem ??= makeEncoder();
    length += arena.put(numbers[i]!, encodeItem(values[i]!));
  }
  const body = pooled ? answerBodies.take(length) : Buffer.allocUnsafe(length);
  body.set(head, 0);
  const end = arena.copyTo(numbers, body, head.length) - separators;
  body.set(listTailBytes, end);
  return body;
}

/** Encodes one item of a list; the caches it closes over hold across the items of one list. */
function itemEncoder(
  version: CustomMetricsVersion,
  quote: (s: string) => string,
): (v: CustomMetricValueSource) => string {
  const heads = new DescribedObjectHeads(quote);
  const apiVersions = new RepeatCache<string>(quote);
  const names = new RepeatCache<string>(quote);
  const selectors = new RepeatCache<LabelSelector | null>((s) => encodeSelector(s, quote));
  return (v) => {
    const ref = v.describedObject;
    let out = `{"describedObject":${heads.get(ref)}${quote(ref.name)},"apiVersion":${apiVersions.get(ref.apiVersion)}}`;
    const ts = formatTimestamp(v.timestamp);
    if (version === 'v1beta1') {
      out += `,"metricName":${names.get(v.metric.name)},"timestamp":"${ts}"`;
      if (v.windowSeconds) out += `,"window":${v.windowSeconds}`;
      return `${out},"value":"${v.value}","selector":${selectors.get(v.metric.selector)}}`;
    }
    out += `,"metric":{"name":${names.get(v.metric.name)},"selector":${selectors.get(v.metric.selector)}},"timestamp":"${ts}"`;
    if (v.windowSeconds) out += `,"windowSeconds":${v.windowSeconds}`;
    return `${out},"value":"${v.value}"}`;
  };
}

/**
 * An ExternalMetricValueList body, newline-terminated like Go's encoder; assembled when every value has encodings.
 * `pooled` as for {@link encodeMetricValueList}.
 */
export function encodeExternalMetricValueList(values: readonly ExternalMetricValueSource[], pooled = false): Buffer {
  if (everyHasEncodings(values))
    return assembleList(externalHeadBytes, values, externalMetricsVersion, pooled, () =>
      externalItemEncoder(new BodyWriter().quote),
    );
  const writer = new BodyWriter();
  const encodeItem = externalItemEncoder(writer.quote);
  let out = externalHead;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += encodeItem(values[i]!);
  }
  return writer.finish(out + listTail, pooled);
}

/** Encodes one item of an external list; the metric name's JSON is kept across the items of one list. */
function externalItemEncoder(quote: (s: string) => string): (v: ExternalMetricValueSource) => string {
  const names = new RepeatCache<string>(quote);
  return (v) => {
    let out = `{"metricName":${names.get(v.metricName)},"metricLabels":${goLabels(v.metricLabels, quote)},"timestamp":"${formatTimestamp(v.timestamp)}"`;
    if (v.windowSeconds) out += `,"window":${v.windowSeconds}`;
    return `${out},"value":"${v.value}"}`;
  };
}

/** NB: Go marshals map keys sorted; JSON.stringify keeps insertion order, so sort first. */
function goLabels(labels: Labels, goString: (s: string) => string): string {
  const keys = Object.keys(labels);
  // Stryker disable next-line ConditionalExpression: equivalent, a fast path; the loop below writes `{}` for no keys
  // too.
  if (keys.length === 0) return '{}';
  keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    out += `${i > 0 ? ',' : ''}${goString(k)}:${goString(labels[k]!)}`;
  }
  return `${out}}`;
}
