/**
 * What became of pushed samples, counted per protocol for `/metrics`
 * (`metrics_adapter_pushed_samples_total{protocol,outcome}`), so an operator sees samples that feed nothing.
 * @module
 */
import type { PushedSeries } from './ingest-pipeline.js';

/** Samples of one request by outcome. Stale markers and "no recorded value" points are not samples. */
export interface SampleOutcomes {
  /** Taken into a rule's window (or a classic histogram being put together). */
  taken: number;
  /** Of a series no rule takes. */
  unused: number;
  /** Not newer than the last sample of its series (out of order), or a value its rule cannot take. */
  dropped: number;
  /** Not a finite number, of a series without a name, or of a type that is not served. */
  rejected: number;
}

export function noOutcomes(): SampleOutcomes {
  return { taken: 0, unused: 0, dropped: 0, rejected: 0 };
}

/** Counts a sample `tx.sample` answered `taken` for. */
export function countSample(outcomes: SampleOutcomes, series: PushedSeries, taken: boolean): void {
  if (taken) outcomes.taken++;
  else if (series.outputs.length === 0 && series.part === undefined) outcomes.unused++;
  else outcomes.dropped++;
}

const outcomeNames = ['taken', 'unused', 'dropped', 'rejected'] as const;

/** Totals since the start, per protocol. */
export class PushedSampleCounts {
  private readonly totals = new Map<string, SampleOutcomes>();

  constructor(protocols: readonly string[]) {
    for (const protocol of protocols) this.totals.set(protocol, noOutcomes());
  }

  add(protocol: string, outcomes: SampleOutcomes): void {
    const total = this.totals.get(protocol)!;
    for (const name of outcomeNames) total[name] += outcomes[name];
  }

  /** The Prometheus text exposition of the counters. */
  render(): string {
    const lines = [
      '# HELP metrics_adapter_pushed_samples_total Pushed samples by protocol and outcome: taken by a rule, unused ' +
        '(no rule takes the series), dropped (out of order, or a value its rule cannot take), rejected (not a finite ' +
        'number, no name, or a type that is not served).',
      '# TYPE metrics_adapter_pushed_samples_total counter',
    ];
    for (const [protocol, total] of this.totals)
      for (const name of outcomeNames)
        lines.push(`metrics_adapter_pushed_samples_total{protocol="${protocol}",outcome="${name}"} ${total[name]}`);
    return `${lines.join('\n')}\n`;
  }
}
