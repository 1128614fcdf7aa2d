/**
 * The proposal of a Resource or ContainerResource metric (spec §10, K8S `replica_calculator.go`
 * `GetResourceReplicas`, `GetRawResourceReplicas`, `groupPods`, `calculatePodRequests`, and `metrics/utilization.go`):
 * usage from `metrics.k8s.io` against the pods' requests, with the controller's CPU readiness rules.
 * @module
 */
import { formatBand, isWithin, round, type Tolerances } from './tolerance.js';
import type { MetricResult, PodInfo, ResourceSample, ResourceTarget } from './types.js';

export interface ResourceProposalContext {
  readonly specReplicas: number;
  readonly pods: readonly PodInfo[] | undefined;
  readonly tolerances: Tolerances;
  /** Ms since the epoch. */
  readonly now: number;
  readonly cpuInitializationPeriodMs: number;
  readonly initialReadinessDelayMs: number;
}

interface ResourceInput {
  readonly type: 'Resource' | 'ContainerResource';
  readonly name: string;
  readonly container?: string;
  readonly target: ResourceTarget;
  readonly values: readonly ResourceSample[];
}

const reasons = { Resource: 'FailedGetResourceMetric', ContainerResource: 'FailedGetContainerResourceMetric' } as const;

function invalid(input: ResourceInput, error: string): MetricResult {
  return {
    type: input.type,
    name: input.name,
    rule: 'Invalid',
    reason: error,
    condition: { reason: reasons[input.type], message: `the HPA was unable to compute the replica count: ${error}` },
  };
}

type Grouped = { ready: number; unready: string[]; missing: string[]; ignored: string[] };

/**
 * `groupPods`: deleted and Failed pods are ignored, Pending ones unready, pods without a sample missing. For CPU a
 * Running pod is unready too when it has no Ready condition or start time; or, within the CPU initialization period
 * after its start, when it is not Ready or its sample's window began before it became Ready; or, later, when it is
 * not Ready and has never been Ready (it turned not-Ready within the initial readiness delay of its start).
 */
function groupPods(
  pods: readonly PodInfo[],
  samples: ReadonlyMap<string, ResourceSample>,
  resource: string,
  ctx: ResourceProposalContext,
): Grouped {
  const grouped: Grouped = { ready: 0, unready: [], missing: [], ignored: [] };
  for (const pod of pods) {
    if (pod.deleting === true || pod.phase === 'Failed') {
      grouped.ignored.push(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      grouped.unready.push(pod.name);
      continue;
    }
    const sample = samples.get(pod.name);
    if (sample === undefined) {
      grouped.missing.push(pod.name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = pod.readyCondition;
      let unready: boolean;
      if (condition === undefined || pod.startTime === undefined) unready = true;
      else if (pod.startTime + ctx.cpuInitializationPeriodMs > ctx.now) {
        unready = condition.status === 'False' || sample.timestamp < condition.lastTransitionTime + sample.windowMs;
      } else {
        unready =
          condition.status === 'False' && pod.startTime + ctx.initialReadinessDelayMs > condition.lastTransitionTime;
      }
      if (unready) {
        grouped.unready.push(pod.name);
        continue;
      }
    }
    grouped.ready++;
  }
  return grouped;
}

/** `calculatePodRequests`: the sum of the (named) container's requests per pod; a container without one is an error. */
function podRequests(
  pods: readonly PodInfo[],
  resource: string,
  container: string | undefined,
): Map<string, bigint> | string {
  const requests = new Map<string, bigint>();
  for (const pod of pods) {
    if (pod.containers === undefined)
      return `the requests of pod ${pod.name} are unknown (explain needs the cluster's pods for Resource metrics)`;
    let sum = 0n;
    for (const c of pod.containers) {
      if (container !== undefined && c.name !== container) continue;
      const request = c.requests[resource];
      if (request === undefined) return `missing request for ${resource} in container ${c.name} of Pod ${pod.name}`;
      sum += request;
    }
    requests.set(pod.name, sum);
  }
  return requests;
}

/** `GetResourceUtilizationRatio`: utilization = floor(100·Σusage/Σrequests) over the pods that have a request. */
function utilizationRatio(
  metrics: ReadonlyMap<string, bigint>,
  requests: ReadonlyMap<string, bigint>,
  target: number,
): { ratio: number; utilization: number; average: bigint } | undefined {
  let usage = 0n;
  let requested = 0n;
  let entries = 0n;
  for (const [pod, value] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue;
    usage += value;
    requested += request;
    entries++;
  }
  if (requested === 0n) return undefined;
  const utilization = Number((usage * 100n) / requested);
  return { ratio: utilization / target, utilization, average: usage / entries };
}

export function resourceProposal(input: ResourceInput, ctx: ResourceProposalContext): MetricResult {
  const what = input.type === 'ContainerResource' ? `${input.name} of container ${input.container ?? ''}` : input.name;
  if (input.values.length === 0)
    return invalid(
      input,
      `unable to get metrics for resource ${input.name}: no metrics returned from resource metrics API`,
    );
  const samples = new Map(input.values.map((v) => [v.pod, v]));
  const pods = ctx.pods;
  if (pods === undefined)
    return invalid(
      input,
      `the pods are unknown: Resource metrics need the cluster's pods (their requests and readiness)`,
    );
  if (pods.length === 0) return invalid(input, 'no pods returned by selector while calculating replica count');
  const grouped = groupPods(pods, samples, input.name, ctx);
  const metrics = new Map<string, bigint>();
  for (const [pod, sample] of samples) metrics.set(pod, sample.value.milliValue());
  for (const pod of [...grouped.ignored, ...grouped.unready]) metrics.delete(pod);
  if (metrics.size === 0) return invalid(input, 'did not receive metrics for targeted pods (pods might be unready)');

  if (input.target.type === 'AverageValue') {
    return averageValueProposal(input, what, input.target.averageValue.milliValue(), metrics, grouped, ctx);
  }
  const requests = podRequests(pods, input.name, input.container);
  if (typeof requests === 'string') return invalid(input, requests);
  const target = input.target.averageUtilization;
  const first = utilizationRatio(metrics, requests, target);
  if (first === undefined) return invalid(input, 'no metrics returned matched known pods');
  const base = { type: input.type, name: input.name, usageMilli: first.average, ratio: first.ratio };
  const counted = `${what} at ${first.utilization}% of requests over ${metrics.size} pod${metrics.size === 1 ? '' : 's'} against target ${target}%: ratio ${round(first.ratio)}`;
  const scaleUpWithUnready = grouped.unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && grouped.missing.length === 0) {
    if (isWithin(first.ratio, ctx.tolerances)) {
      return {
        ...base,
        proposal: ctx.specReplicas,
        rule: 'WithinTolerance',
        reason: `${counted} is within the tolerance band ${formatBand(ctx.tolerances)}: keep ${ctx.specReplicas}`,
      };
    }
    const proposal = Math.ceil(first.ratio * grouped.ready);
    return {
      ...base,
      proposal,
      rule: 'Ratio',
      reason: `${counted}; ceil(${round(first.ratio)} × ${grouped.ready} ready pods) = ${proposal}`,
    };
  }
  const assumed: string[] = [];
  if (grouped.missing.length > 0) {
    if (first.ratio < 1) {
      // NB: on a scale-down a missing pod uses max(100%, target) of its request.
      const fallback = BigInt(Math.max(100, target));
      for (const pod of grouped.missing) metrics.set(pod, (requests.get(pod)! * fallback) / 100n);
      assumed.push(
        `${grouped.missing.length} pod${grouped.missing.length === 1 ? '' : 's'} without usage counted at ${fallback}% of ${grouped.missing.length === 1 ? 'its' : 'their'} request`,
      );
    } else if (first.ratio > 1) {
      for (const pod of grouped.missing) metrics.set(pod, 0n);
      assumed.push(
        `${grouped.missing.length} pod${grouped.missing.length === 1 ? '' : 's'} without usage counted as 0`,
      );
    }
  }
  if (scaleUpWithUnready) {
    for (const pod of grouped.unready) metrics.set(pod, 0n);
    assumed.push(`${grouped.unready.length} unready pod${grouped.unready.length === 1 ? '' : 's'} counted as 0`);
  }
  const second = utilizationRatio(metrics, requests, target)!;
  const adjusted = { ...base, adjustedRatio: second.ratio };
  const why = `${counted}; ${assumed.join(' and ')}: ${second.utilization}%, ratio ${round(second.ratio)}`;
  if (
    isWithin(second.ratio, ctx.tolerances) ||
    (first.ratio > 1 && second.ratio < 1) ||
    (first.ratio < 1 && second.ratio > 1)
  ) {
    const rule = isWithin(second.ratio, ctx.tolerances) ? 'WithinTolerance' : 'DirectionFlipped';
    return { ...adjusted, proposal: ctx.specReplicas, rule, reason: `${why}: keep ${ctx.specReplicas}` };
  }
  const n = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1 && n > ctx.specReplicas) || (second.ratio > 1 && n < ctx.specReplicas)) {
    return {
      ...adjusted,
      proposal: ctx.specReplicas,
      rule: 'DirectionFlipped',
      reason: `${why}; ceil(${round(second.ratio)} × ${metrics.size}) = ${n} would move against the ratio: keep ${ctx.specReplicas}`,
    };
  }
  return {
    ...adjusted,
    proposal: n,
    rule: 'MissingPodsAssumed',
    reason: `${why}; ceil(${round(second.ratio)} × ${metrics.size} pods) = ${n}`,
  };
}

/** `GetRawResourceReplicas`: `calcPlainMetricReplicas` on the usage, with the CPU readiness rules already applied. */
function averageValueProposal(
  input: ResourceInput,
  what: string,
  target: bigint,
  metrics: Map<string, bigint>,
  grouped: Grouped,
  ctx: ResourceProposalContext,
): MetricResult {
  const average = (m: ReadonlyMap<string, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n) / BigInt(m.size);
  const usage = average(metrics);
  const ratio = Number(usage) / Number(target);
  const base = { type: input.type, name: input.name, usageMilli: usage, targetMilli: target, ratio };
  const counted = `${what} averages ${usage}m over ${metrics.size} pod${metrics.size === 1 ? '' : 's'} against ${target}m: ratio ${round(ratio)}`;
  const scaleUpWithUnready = grouped.unready.length > 0 && ratio > 1;
  if (!scaleUpWithUnready && grouped.missing.length === 0) {
    if (isWithin(ratio, ctx.tolerances))
      return {
        ...base,
        proposal: ctx.specReplicas,
        rule: 'WithinTolerance',
        reason: `${counted} is within the tolerance band ${formatBand(ctx.tolerances)}: keep ${ctx.specReplicas}`,
      };
    const proposal = Math.ceil(ratio * grouped.ready);
    return {
      ...base,
      proposal,
      rule: 'Ratio',
      reason: `${counted}; ceil(${round(ratio)} × ${grouped.ready} ready pods) = ${proposal}`,
    };
  }
  if (grouped.missing.length > 0 && ratio !== 1)
    for (const pod of grouped.missing) metrics.set(pod, ratio < 1 ? target : 0n);
  if (scaleUpWithUnready) for (const pod of grouped.unready) metrics.set(pod, 0n);
  const newRatio = Number(average(metrics)) / Number(target);
  const adjusted = { ...base, adjustedRatio: newRatio };
  const why = `${counted}; missing and unready pods filled in: ratio ${round(newRatio)}`;
  if (isWithin(newRatio, ctx.tolerances) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return {
      ...adjusted,
      proposal: ctx.specReplicas,
      rule: isWithin(newRatio, ctx.tolerances) ? 'WithinTolerance' : 'DirectionFlipped',
      reason: `${why}: keep ${ctx.specReplicas}`,
    };
  }
  const n = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && n > ctx.specReplicas) || (newRatio > 1 && n < ctx.specReplicas)) {
    return {
      ...adjusted,
      proposal: ctx.specReplicas,
      rule: 'DirectionFlipped',
      reason: `${why}; ceil(${round(newRatio)} × ${metrics.size}) = ${n} would move against the ratio: keep ${ctx.specReplicas}`,
    };
  }
  return {
    ...adjusted,
    proposal: n,
    rule: 'MissingPodsAssumed',
    reason: `${why}; ceil(${round(newRatio)} × ${metrics.size} pods) = ${n}`,
  };
}
