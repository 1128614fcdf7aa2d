/**
 * Pushed samples in, served values out. Each pushed series is resolved against the rules once (on first sight,
 * keyed by its identity so a known series costs one map lookup), then every sample feeds the windows of the rules
 * that took it. At the end of a request the values that changed are summed per target (the object or external
 * series they feed, as `sum by (pod)` would) and written to the back end in one batch, so a request is stored
 * before it is answered and a store failure reaches the sender as a 5xx. A series not pushed for its rule's
 * `maxAge`, or ended by a Prometheus stale marker, is taken out of its targets, and a target left with none is
 * removed from the store.
 * @module
 */
import type { Labels } from '../api/types.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { CustomMetricWrite, ExternalMetricWrite, MetricsWriter, SeriesRemoval } from '../providers/write.js';
import { writeBatch } from '../providers/write.js';
import { Quantity } from '../quantity/index.js';
import {
  compileIngestRules,
  type CompiledIngestRule,
  type RuleOutput,
  type SeriesDescription,
  type TargetSpec,
} from './compile-ingest-rules.js';
import { HistogramAssembly, histogramPartOf, type HistogramPart } from './classic-histograms.js';
import type { IngestRule } from './ingest-config.js';
import { CounterWindow, type HistogramSample } from './series-window.js';
import { decodeSnapshot, encodeSnapshot, windowKey, type SharedWindowStore } from './shared-windows.js';

/** One rule's state for one series. */
interface Output {
  readonly rule: CompiledIngestRule;
  readonly window: RuleOutput['window'];
  readonly targets: Target[];
  /** The series' own labels in its custom targets (every target of one output has the same). */
  readonly metricLabels: Labels;
  /** The key of its window in the shared store; set for counters when there is one. */
  readonly sharedKey: string | undefined;
  /** What it adds to its targets now. */
  contribution: number | undefined;
  lastSeenMs: number;
  dirty: boolean;
}

/** A counter sample held until commit, when the shared window it goes into has been loaded. */
interface Deferred {
  readonly output: Output;
  readonly timestampMs: number;
  readonly value: number;
}

/** A known series; `outputs` is empty when no rule takes it (kept so it is not resolved again). */
export interface PushedSeries {
  readonly key: string;
  readonly outputs: Output[];
  lastSeenMs: number;
  /** A bucket, sum or count of a classic histogram, whose samples also go to it. */
  readonly part?: HistogramPart;
  /** A classic histogram put back together from its parts. */
  assembly?: HistogramAssembly;
}

interface Target {
  readonly spec: TargetSpec;
  /** A custom target's metric and object as writes carry them, made once: a pushed sample writes one per request. */
  readonly object: Pick<CustomMetricWrite, 'info' | 'name'> | undefined;
  readonly contributors: Set<Output>;
  sum: number;
  /** Contributors with a value. */
  valued: number;
  dirty: boolean;
  /** Whether the store holds a value for it. */
  stored: boolean;
  /** The metric labels its contributors share, worked out again when they change. */
  labels: Labels | undefined;
}

export interface IngestPipelineOptions {
  readonly writer: MetricsWriter;
  readonly mapper: ResourceMapper;
  /** The config's rules; the defaults when undefined. */
  readonly rules?: readonly IngestRule[];
  readonly now?: () => number;
  /** How often stale series are looked for (default: a tenth of the shortest maxAge, 1 s to 30 s). */
  readonly sweepIntervalMs?: number;
  /** Logs a failed background removal. */
  readonly onError?: (error: unknown) => void;
  /** Counter windows shared with other replicas (see shared-windows.ts); each replica's own when undefined. */
  readonly sharedWindows?: SharedWindowStore;
}

/** The samples of one request; `commit` writes what changed. */
export interface IngestTransaction {
  /** The series of `key`, described by `describe` the first time it is seen. */
  series(key: string, describe: () => SeriesDescription): PushedSeries;
  /** A series {@link IngestPipeline.find} gave in the same turn, seen again now. */
  seen(series: PushedSeries): PushedSeries;
  /** False when the sample was not taken (no rule takes the series, or it is out of order). */
  sample(series: PushedSeries, timestampMs: number, value: number | HistogramSample): boolean;
  /** A Prometheus stale marker: the series ended. */
  stale(series: PushedSeries): void;
  commit(): Promise<void>;
}

export interface IngestPipeline {
  begin(): IngestTransaction;
  /**
   * The series of this key if it is known, so a decoder can leave its description out and the transaction need not
   * look it up again; valid until the turn ends (a sweep may drop it after).
   */
  find(key: string): PushedSeries | undefined;
  /** Series known (kept or not), and the targets fed. */
  counts(): { readonly series: number; readonly targets: number };
  /** Removes what went stale now; the timer calls it too. */
  sweep(): Promise<void>;
  close(): void;
}

/** Series resolved and remembered before new ones are refused, bounding memory against a flood of label sets. */
const maxSeries = 2_000_000;

export function createIngestPipeline(options: IngestPipelineOptions): IngestPipeline {
  const { writer } = options;
  const now = options.now ?? Date.now;
  const rules = compileIngestRules(options.rules, options.mapper);
  const seriesByKey = new Map<string, PushedSeries>();
  const targets = new Map<string, Target>();
  const unkept: PushedSeries = { key: '', outputs: [], lastSeenMs: 0 };

  const resolve = (key: string, description: SeriesDescription, seenMs: number): PushedSeries => {
    const outputs: Output[] = [];
    for (const rule of rules) {
      const resolved = rule.resolve(description);
      if (resolved === undefined) continue;
      const output: Output = {
        rule,
        window: resolved.window,
        targets: [],
        metricLabels: resolved.targets[0]!.labels,
        sharedKey:
          options.sharedWindows !== undefined && resolved.window instanceof CounterWindow
            ? windowKey(key, rule.id)
            : undefined,
        contribution: undefined,
        lastSeenMs: seenMs,
        dirty: false,
      };
      for (const spec of resolved.targets) {
        let target = targets.get(spec.key);
        if (target === undefined) {
          target = {
            spec,
            object: spec.kind === 'custom' ? objectOf(spec) : undefined,
            contributors: new Set(),
            sum: 0,
            valued: 0,
            dirty: false,
            stored: false,
            labels: undefined,
          };
          targets.set(spec.key, target);
        }
        target.contributors.add(output);
        target.labels = undefined;
        output.targets.push(target);
      }
      outputs.push(output);
    }
    return { key, outputs, lastSeenMs: seenMs };
  };

  /** A series on first sight; a classic histogram's bucket feeds only the histogram, never a rule of its own. */
  const introduce = (key: string, description: SeriesDescription, seenMs: number): PushedSeries => {
    const part = histogramPartOf(description);
    if (part === undefined) return resolve(key, description, seenMs);
    if (typeof part.role === 'object') return { key, outputs: [], lastSeenMs: seenMs, part };
    return { ...resolve(key, description, seenMs), part };
  };

  /** Feeds a sample to the windows of a series' outputs; false when none took it. */
  const feed = (
    series: PushedSeries,
    timestampMs: number,
    value: number | HistogramSample,
    seenMs: number,
    touched: Output[],
    deferred?: Deferred[],
  ): boolean => {
    let taken = false;
    for (const output of series.outputs) {
      output.lastSeenMs = seenMs;
      if (output.sharedKey !== undefined && deferred !== undefined && typeof value === 'number') {
        // NB: added at commit, once the window other replicas saved is merged in.
        deferred.push({ output, timestampMs, value });
      } else if (!output.window.add(timestampMs, value)) continue;
      taken = true;
      if (!output.dirty) {
        output.dirty = true;
        touched.push(output);
      }
    }
    return taken;
  };

  /** Merges the shared windows of the deferred counters' outputs, adds their samples and saves the windows back. */
  const addShared = async (deferred: readonly Deferred[], touched: Output[]): Promise<void> => {
    const store = options.sharedWindows!;
    const outputs = [...new Set(deferred.map((d) => d.output))];
    const stored = await store.load(outputs.map((output) => output.sharedKey!));
    outputs.forEach((output, i) => {
      const text = stored[i];
      const snapshot = text === null || text === undefined ? undefined : decodeSnapshot(text);
      if (snapshot !== undefined) (output.window as CounterWindow).merge(snapshot);
    });
    for (const { output, timestampMs, value } of deferred) {
      if (!output.window.add(timestampMs, value) || output.dirty) continue;
      output.dirty = true;
      touched.push(output);
    }
    await store.save(
      outputs.map((output) => [
        output.sharedKey!,
        encodeSnapshot((output.window as CounterWindow).snapshot()),
        output.rule.maxAgeMs,
      ]),
    );
  };

  /**
   * The histogram a part belongs to: made by its first bucket (a `_sum` or `_count` alone makes none), undefined
   * when no rule takes it.
   */
  const histogramOf = (part: HistogramPart, seenMs: number): PushedSeries | undefined => {
    let group = seriesByKey.get(part.groupKey);
    if (group === undefined) {
      if (typeof part.role !== 'object' || seriesByKey.size >= maxSeries) return undefined;
      group = resolve(part.groupKey, part.group, seenMs);
      seriesByKey.set(part.groupKey, group);
    }
    group.lastSeenMs = seenMs;
    if (group.outputs.length === 0) return undefined;
    group.assembly ??= new HistogramAssembly();
    return group;
  };

  /** Moves an output's new value into its targets' sums; returns the targets that changed. */
  const settle = (output: Output, changed: Target[]): void => {
    output.dirty = false;
    const next = output.window.value();
    const previous = output.contribution;
    if (next === previous || (next !== undefined && !Number.isFinite(next))) return;
    output.contribution = next;
    for (const target of output.targets) {
      if (previous !== undefined) target.valued--;
      if (next !== undefined) target.valued++;
      // NB: a lone contributor sets the sum exactly; several adjust it, and a sweep re-adds it from scratch.
      target.sum = target.contributors.size === 1 ? (next ?? 0) : target.sum - (previous ?? 0) + (next ?? 0);
      if (!target.dirty) {
        target.dirty = true;
        changed.push(target);
      }
    }
  };

  /** Takes an output out of its targets (the series went stale); targets left empty are removed. */
  const detach = (output: Output, changed: Target[]): void => {
    for (const target of output.targets) {
      target.contributors.delete(output);
      target.labels = undefined;
      if (output.contribution !== undefined) target.valued--;
      target.sum = 0;
      for (const other of target.contributors) if (other.contribution !== undefined) target.sum += other.contribution;
      if (!target.dirty) {
        target.dirty = true;
        changed.push(target);
      }
    }
    output.contribution = undefined;
  };

  const store = async (changed: readonly Target[]): Promise<void> => {
    const stamp = now();
    const custom: CustomMetricWrite[] = [];
    const external: ExternalMetricWrite[] = [];
    const removals: SeriesRemoval[] = [];
    for (const target of changed) {
      target.dirty = false;
      const spec = target.spec;
      if (target.contributors.size === 0) targets.delete(spec.key);
      if (target.valued <= 0) {
        if (target.stored) removals.push(removalOf(spec));
        target.stored = false;
        continue;
      }
      target.stored = true;
      const value = Quantity.fromNumber(target.sum);
      if (spec.kind === 'custom') {
        custom.push({
          info: target.object!.info,
          name: target.object!.name,
          metricLabels: (target.labels ??= commonLabels(target)),
          objectLabels: undefined,
          value,
          timestamp: stamp,
        });
      } else {
        external.push({ namespace: spec.namespace, metric: spec.metric, labels: spec.labels, value, timestamp: stamp });
      }
    }
    if (custom.length > 0 || external.length > 0) await writeBatch(writer, { custom, external });
    if (removals.length > 0 && writer.removeSeries !== undefined) await writer.removeSeries(removals);
  };

  const shortestMaxAge = Math.min(...rules.map((rule) => rule.maxAgeMs), 300_000);
  const sweepEvery = options.sweepIntervalMs ?? Math.min(30_000, Math.max(1000, shortestMaxAge / 10));
  const sweep = async (): Promise<void> => {
    const at = now();
    const changed: Target[] = [];
    for (const [key, series] of seriesByKey) {
      if (series.outputs.length === 0) {
        if (at - series.lastSeenMs > shortestMaxAge) seriesByKey.delete(key);
        continue;
      }
      let live = 0;
      for (const output of series.outputs) {
        if (output.targets.length === 0) continue;
        if (at - output.lastSeenMs > output.rule.maxAgeMs) {
          detach(output, changed);
          output.targets.length = 0;
        } else {
          live++;
        }
      }
      if (live === 0) seriesByKey.delete(key);
    }
    await store(changed);
  };
  const timer = setInterval(() => {
    sweep().catch((error: unknown) => options.onError?.(error));
  }, sweepEvery);
  timer.unref();

  return {
    begin(): IngestTransaction {
      const touched: Output[] = [];
      const deferred: Deferred[] = [];
      const ended: PushedSeries[] = [];
      const assembling = new Set<PushedSeries>();
      const seenMs = now();
      return {
        series(key, describe) {
          let series = seriesByKey.get(key);
          if (series === undefined) {
            if (seriesByKey.size >= maxSeries) return unkept;
            series = introduce(key, describe(), seenMs);
            seriesByKey.set(key, series);
          }
          series.lastSeenMs = seenMs;
          return series;
        },
        seen(series) {
          series.lastSeenMs = seenMs;
          return series;
        },
        sample(series, timestampMs, value) {
          let taken = false;
          const part = series.part;
          if (part !== undefined && typeof value === 'number') {
            const histogram = histogramOf(part, seenMs);
            if (histogram?.assembly?.add(part, timestampMs, value) === true) {
              assembling.add(histogram);
              taken = true;
            }
          }
          return feed(series, timestampMs, value, seenMs, touched, deferred) || taken;
        },
        stale(series) {
          ended.push(series);
          const part = series.part;
          if (part !== undefined && typeof part.role === 'object') {
            const histogram = seriesByKey.get(part.groupKey);
            if (histogram !== undefined) ended.push(histogram);
          }
        },
        async commit() {
          for (const histogram of assembling)
            for (const { timestampMs, sample } of histogram.assembly!.take())
              feed(histogram, timestampMs, sample, seenMs, touched);
          if (deferred.length > 0) await addShared(deferred, touched);
          const changed: Target[] = [];
          for (const output of touched) settle(output, changed);
          for (const series of ended) {
            for (const output of series.outputs) {
              detach(output, changed);
              output.targets.length = 0;
            }
            if (seriesByKey.get(series.key) === series) seriesByKey.delete(series.key);
          }
          await store(changed);
        },
      };
    },
    find: (key) => seriesByKey.get(key),
    counts: () => ({ series: seriesByKey.size, targets: targets.size }),
    sweep,
    close() {
      clearInterval(timer);
    },
  };
}

function objectOf(spec: TargetSpec & { kind: 'custom' }): Pick<CustomMetricWrite, 'info' | 'name'> {
  return {
    info: { groupResource: spec.groupResource, namespaced: spec.namespace !== '', metric: spec.metric },
    name: { namespace: spec.namespace, name: spec.name },
  };
}

function removalOf(spec: TargetSpec): SeriesRemoval {
  return spec.kind === 'custom'
    ? { kind: 'custom', ...objectOf(spec) }
    : { kind: 'external', namespace: spec.namespace, metric: spec.metric, labels: spec.labels };
}

/** The metric labels every contributor of a custom target shares (all of them when there is one). */
function commonLabels(target: Target): Labels {
  let common: Record<string, string> | undefined;
  for (const output of target.contributors) {
    const labels = output.metricLabels;
    if (common === undefined) {
      common = { ...labels };
      continue;
    }
    for (const key of Object.keys(common)) if (labels[key] !== common[key]) delete common[key];
  }
  return common ?? {};
}
