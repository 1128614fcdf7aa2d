/**
 * An {@link Explanation} for people (aligned text) and for tools (JSON with milli-values written as
 * quantities, so nothing needs bigint support).
 * @module
 */
import type { Explanation } from './explain.js';
import { milli } from './metric-proposal.js';
import { round } from './tolerance.js';
import type { MetricResult } from './types.js';

const maxValuesShown = 10;

function resultLines(r: MetricResult): string[] {
  if (r.proposal === undefined) {
    return [`error: ScalingActive=False ${r.condition?.reason ?? ''}: ${r.condition?.message ?? r.reason}`];
  }
  const ratio = r.adjustedRatio ?? r.ratio;
  return [`ratio ${ratio === undefined ? '-' : round(ratio)} → proposes ${r.proposal} (${r.rule}): ${r.reason}`];
}

export function formatExplanationText(e: Explanation): string {
  const lines = [
    `HPA ${e.hpa.namespace}/${e.hpa.name} → ${e.hpa.scaleTarget}: ${e.currentReplicas} current replicas, minReplicas ${e.minReplicas}, maxReplicas ${e.maxReplicas}`,
  ];
  if (e.hpa.convertedFrom !== undefined)
    lines.push(`converted from ${e.hpa.convertedFrom} to autoscaling/v2 as the API server does`);
  if (e.cluster) {
    const { scale, pods } = e.cluster;
    lines.push(
      `scale ${scale.target}: spec.replicas ${scale.specReplicas}, status.replicas ${scale.statusReplicas}, selector ${scale.selector === '' ? '(none)' : scale.selector}`,
    );
    const states = pods.states.map(
      (s) =>
        `${s.pods.length} ${s.state}${s.state === 'Running and Ready' ? '' : `: ${s.pods.slice(0, maxValuesShown).join(', ')}${s.pods.length > maxValuesShown ? ', …' : ''}`}`,
    );
    lines.push(`pods matching ${pods.selector}: ${pods.count}${states.length > 0 ? ` (${states.join('; ')})` : ''}`);
  }
  if (e.customVersion) lines.push(`custom.metrics.k8s.io/${e.customVersion.version}: ${e.customVersion.how}`);
  for (const m of e.metrics) {
    lines.push('', `[${m.index}] ${m.type} metric ${m.name}${m.target ? `, target ${m.target}` : ''}`);
    if (m.skipped) {
      lines.push(`    skipped: ${m.skipped}`);
      continue;
    }
    if (m.query) lines.push(`    GET ${m.query}`);
    if (m.metricQuery) {
      const q = m.metricQuery;
      lines.push(`    defined by MetricQuery ${q.object} (${q.servedAs}, back end ${q.backend}): ${q.query}`);
      lines.push(`      Valid ${q.valid}`, `      Active ${q.active}`);
      if (q.currentValue !== undefined)
        lines.push(`      currentValue ${q.currentValue}${q.lastUpdated !== undefined ? ` at ${q.lastUpdated}` : ''}`);
      if (q.stale)
        lines.push('      the status describes an older spec: the adapter has not seen the latest change yet');
    }
    if (m.values.length > 0) {
      lines.push(`    returned ${m.values.length} value${m.values.length === 1 ? '' : 's'}:`);
      for (const v of m.values.slice(0, maxValuesShown)) {
        const who =
          v.object ??
          (v.labels
            ? `{${Object.entries(v.labels)
                .map(([k, x]) => `${k}=${x}`)
                .join(',')}}`
            : '');
        lines.push(`      ${who} = ${v.value}${v.timestamp ? ` at ${v.timestamp}` : ''}`);
      }
      if (m.values.length > maxValuesShown) lines.push(`      … and ${m.values.length - maxValuesShown} more`);
    }
    if (m.result) lines.push(...resultLines(m.result).map((l) => `    ${l}`));
  }
  const d = e.decision;
  lines.push(
    '',
    `decision: ${d.currentReplicas} → ${d.desiredReplicas} replicas (${d.rescale ? 'rescale' : 'no change'}), bounded by ${d.rule}: ${d.reason}`,
  );
  for (const note of e.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** JSON-safe: milli-value bigints become quantity strings (`usage`, `target`). */
export function explanationToJson(e: Explanation): unknown {
  return {
    ...e,
    metrics: e.metrics.map((m) => {
      if (!m.result) return m;
      const { usageMilli, targetMilli, ...rest } = m.result;
      return {
        ...m,
        result: {
          ...rest,
          ...(usageMilli !== undefined ? { usage: milli(usageMilli) } : {}),
          ...(targetMilli !== undefined ? { targetValue: milli(targetMilli) } : {}),
        },
      };
    }),
    decision: { ...e.decision, metrics: undefined },
  };
}
