/**
 * One metric's replica proposal, as `replica_calculator.go` computes it (spec §8.3): Pods metrics with
 * missing and unready pods, Object and External metrics with Value or AverageValue targets. All values
 * are int64 milli-values (`Quantity.milliValue()`, rounded up) and ratios are float64, as in Go.
 * @module
 */
import { formatQuantity, type Quantity } from '../quantity/index.js';
import { formatBand, isWithin, round, type Tolerances } from './tolerance.js';
import { resourceProposal, type ResourceProposalContext } from './resource-proposal.js';
import type { MetricInput, MetricResult, ObjectTarget, PodInfo } from './types.js';

const maxInt32 = 2_147_483_647;
const maxInt64 = 9_223_372_036_854_775_807n;

export interface ProposalContext extends ResourceProposalContext {
  readonly specReplicas: number;
  readonly statusReplicas: number;
  /** undefined: unknown, see `ReplicaInputs.pods`. */
  readonly pods: readonly PodInfo[] | undefined;
  readonly tolerances: Tolerances;
}

/** Milli-units as a quantity for people: `150000` → `150`, `133333` → `133333m`. */
export function milli(value: bigint): string {
  return formatQuantity(value * 1_000_000n, 'DecimalSI');
}

const conditionReasons = {
  Pods: 'FailedGetPodsMetric',
  Object: 'FailedGetObjectMetric',
  External: 'FailedGetExternalMetric',
  Resource: 'FailedGetResourceMetric',
  ContainerResource: 'FailedGetContainerResourceMetric',
} as const;

/** An invalid metric, with the ScalingActive=False condition the HPA would set for it (spec §8.4). */
export function invalid(input: Pick<MetricInput, 'type' | 'name'>, error: string): MetricResult {
  return {
    type: input.type,
    name: input.name,
    rule: 'Invalid',
    reason: error,
    condition: {
      reason: conditionReasons[input.type],
      message: `the HPA was unable to compute the replica count: ${error}`,
    },
  };
}

export function proposeForMetric(input: MetricInput, ctx: ProposalContext): MetricResult {
  if (input.error !== undefined) return invalid(input, input.error);
  switch (input.type) {
    case 'Pods':
      return podsProposal(input.name, input.target.averageValue.milliValue(), input.values, ctx);
    case 'Object':
      return objectOrExternal(input.type, input.name, input.target, input.value.milliValue(), ctx);
    case 'Resource':
    case 'ContainerResource':
      return resourceProposal(input, ctx);
    case 'External': {
      if (input.values.length === 0)
        return invalid(
          input,
          `unable to get external metric ${input.name}: no metrics returned from external metrics API`,
        );
      let sum = 0n;
      for (const value of input.values) sum += value.milliValue();
      // NB: GetExternalMetricReplicas saturates the sum at MaxInt64 instead of wrapping.
      // Stryker disable next-line EqualityOperator: equivalent, at equality the cap sets the value it already has.
      if (sum > maxInt64) sum = maxInt64;
      return objectOrExternal(input.type, input.name, input.target, sum, ctx);
    }
  }
}

function ceilInt32(x: number): number {
  return Math.min(Math.ceil(x), maxInt32);
}

/** NB: Go's int64 division truncates toward zero, as bigint division does. */
function average(values: Iterable<bigint>, count: number): bigint {
  let sum = 0n;
  for (const v of values) sum += v;
  return sum / BigInt(count);
}

/** `calcPlainMetricReplicas` with resource = "" (spec §8.3, Pods metric). */
function podsProposal(
  name: string,
  target: bigint,
  values: readonly { readonly pod: string; readonly value: Quantity }[],
  ctx: ProposalContext,
): MetricResult {
  const base = { type: 'Pods' as const, name, targetMilli: target };
  if (values.length === 0)
    return invalid(base, `unable to get metric ${name}: no metrics returned from custom metrics API`);
  // NB: keyed by describedObject.name; a later duplicate wins, and items for unselected pods stay counted.
  const metrics = new Map<string, bigint>();
  for (const item of values) metrics.set(item.pod, item.value.milliValue());
  // NB: `next-line` marks reach only the line a statement starts on, so this one is a block.
  // Stryker disable StringLiteral,BooleanLiteral: equivalent, this function reads only Failed, Pending and deleting.
  const pods: readonly PodInfo[] =
    ctx.pods ?? [...metrics.keys()].map((pod) => ({ name: pod, phase: 'Running', ready: true }));
  // Stryker restore StringLiteral,BooleanLiteral
  if (pods.length === 0)
    return invalid(base, `unable to get metric ${name}: no pods returned by selector while calculating replica count`);

  let readyPodCount = 0;
  const unready: string[] = [];
  const missing: string[] = [];
  for (const pod of pods) {
    if (pod.deleting === true || pod.phase === 'Failed') {
      metrics.delete(pod.name);
    } else if (pod.phase === 'Pending') {
      unready.push(pod.name);
      metrics.delete(pod.name);
    } else if (!metrics.has(pod.name)) {
      missing.push(pod.name);
    } else {
      readyPodCount++;
    }
  }
  if (metrics.size === 0) {
    return invalid(
      base,
      `unable to get metric ${name}: did not receive metrics for targeted pods (pods might be unready)`,
    );
  }
  const usage = average(metrics.values(), metrics.size);
  const ratio = Number(usage) / Number(target);
  const result = { ...base, usageMilli: usage, ratio };
  const counted = `average ${milli(usage)} over ${metrics.size} pod${metrics.size === 1 ? '' : 's'} against target ${milli(target)}: ratio ${round(ratio)}`;
  const scaleUpWithUnready = unready.length > 0 && ratio > 1;

  if (!scaleUpWithUnready && missing.length === 0) {
    if (isWithin(ratio, ctx.tolerances)) {
      return {
        ...result,
        proposal: ctx.specReplicas,
        rule: 'WithinTolerance',
        reason: `${counted} is within the tolerance band ${formatBand(ctx.tolerances)}: keep ${ctx.specReplicas}`,
      };
    }
    const proposal = Math.ceil(ratio * readyPodCount);
    return {
      ...result,
      proposal,
      rule: 'Ratio',
      reason: `${counted}; ceil(${round(ratio)} × ${readyPodCount} ready pods) = ${proposal}`,
    };
  }

  const assumed: string[] = [];
  if (missing.length > 0) {
    // NB: replica_calculator.go calcPlainMetricReplicas (1.33+, with Tolerances): `if usageRatio < 1.0 {…} else if
    // usageRatio > 1.0 {…}`: at exactly 1 missing pods are not filled in (spec §8.3 step 7). Releases before
    // GetMetricUsageRatio (the autoscaling/v2beta2-era file) had a bare `else`, counting them as 0.
    if (ratio !== 1) {
      // Stryker disable next-line EqualityOperator: equivalent, the ratio is not 1 here.
      const fill = ratio < 1 ? target : 0n;
      for (const pod of missing) metrics.set(pod, fill);
      assumed.push(
        `${missing.length} pod${missing.length === 1 ? '' : 's'} without a value counted as ${fill === 0n ? '0' : `the target ${milli(target)}`}`,
      );
    } else {
      assumed.push(
        `${missing.length} pod${missing.length === 1 ? '' : 's'} without a value left out, since the ratio is exactly 1`,
      );
    }
  }
  if (scaleUpWithUnready) {
    for (const pod of unready) metrics.set(pod, 0n);
    assumed.push(`${unready.length} unready pod${unready.length === 1 ? '' : 's'} counted as 0`);
  }
  const newUsage = average(metrics.values(), metrics.size);
  const newRatio = Number(newUsage) / Number(target);
  const adjusted = { ...result, adjustedRatio: newRatio };
  const why = `${counted}; ${assumed.join(' and ')}: ratio ${round(newRatio)}`;
  if (isWithin(newRatio, ctx.tolerances)) {
    return {
      ...adjusted,
      proposal: ctx.specReplicas,
      rule: 'WithinTolerance',
      reason: `${why} is within the tolerance band ${formatBand(ctx.tolerances)}: keep ${ctx.specReplicas}`,
    };
  }
  // NB: a ratio of exactly 1 fills nothing in, and a new ratio of exactly 1 is within any tolerance band: both
  // returned above, so from here on `< 1` and `<= 1` (and `> 1` and `>= 1`) agree.
  // Stryker disable next-line EqualityOperator: equivalent, see the note above.
  const newDown = newRatio < 1;
  // Stryker disable next-line EqualityOperator: equivalent, see the note above.
  const newUp = newRatio > 1;
  // NB: the first half is Go's, though unreachable: below 1 missing pods count as the target, which keeps the average
  // below it.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see the two notes above.
  if ((ratio < 1 && newUp) || (ratio > 1 && newDown)) {
    return {
      ...adjusted,
      proposal: ctx.specReplicas,
      rule: 'DirectionFlipped',
      reason: `${why} points the other way: keep ${ctx.specReplicas}`,
    };
  }
  const n = Math.ceil(newRatio * metrics.size);
  if ((newDown && n > ctx.specReplicas) || (newUp && n < ctx.specReplicas)) {
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

/** `GetObjectMetricReplicas`, `GetObjectPerPodMetricReplicas` and their External twins (spec §8.3). */
function objectOrExternal(
  type: 'Object' | 'External',
  name: string,
  target: ObjectTarget,
  usage: bigint,
  ctx: ProposalContext,
): MetricResult {
  const what = type === 'External' ? `sum ${milli(usage)}` : `value ${milli(usage)}`;
  if (target.type === 'AverageValue') {
    const t = target.averageValue.milliValue();
    const replicas = ctx.statusReplicas;
    const ratio = Number(usage) / (Number(t) * replicas);
    // NB: GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas report the per-pod value,
    // ceil(usage / statusReplicas) in milli-units, as the HPA status `current.averageValue`.
    const perPod = replicas > 0 ? ceilDivide(usage, BigInt(replicas)) : usage;
    const base = { type, name, usageMilli: perPod, targetMilli: t, ratio };
    const counted = `${what} against average target ${milli(t)} × ${replicas} replicas: ratio ${round(ratio)}`;
    if (isWithin(ratio, ctx.tolerances)) {
      return {
        ...base,
        proposal: replicas,
        rule: 'WithinTolerance',
        reason: `${counted} is within the tolerance band ${formatBand(ctx.tolerances)}: keep ${replicas}`,
      };
    }
    const proposal = ceilInt32(Number(usage) / Number(t));
    return {
      ...base,
      proposal,
      rule: 'Ratio',
      reason: `${counted}; ceil(${milli(usage)} / ${milli(t)}) = ${proposal}`,
    };
  }
  const t = target.value.milliValue();
  const ratio = Number(usage) / Number(t);
  const base = { type, name, usageMilli: usage, targetMilli: t, ratio };
  const counted = `${what} against target ${milli(t)}: ratio ${round(ratio)}`;
  if (ctx.specReplicas === 0) {
    const proposal = ceilInt32(ratio);
    return {
      ...base,
      proposal,
      rule: 'ScaleToZeroRatio',
      reason: `${counted}; at 0 replicas no tolerance applies: ceil(${round(ratio)}) = ${proposal}`,
    };
  }
  if (isWithin(ratio, ctx.tolerances)) {
    return {
      ...base,
      proposal: ctx.specReplicas,
      rule: 'WithinTolerance',
      reason: `${counted} is within the tolerance band ${formatBand(ctx.tolerances)}: keep ${ctx.specReplicas}`,
    };
  }
  let readyPods = ctx.specReplicas;
  if (ctx.pods !== undefined) {
    if (ctx.pods.length === 0) {
      const prefix = type === 'External' ? `unable to get external metric ${name}` : `unable to get metric ${name}`;
      return invalid(
        base,
        `${prefix}: unable to calculate ready pods: no pods returned by selector while calculating replica count`,
      );
    }
    readyPods = ctx.pods.filter((p) => p.phase === 'Running' && p.ready).length;
  }
  const proposal = ceilInt32(ratio * readyPods);
  return {
    ...base,
    proposal,
    rule: 'Ratio',
    reason: `${counted}; ceil(${round(ratio)} × ${readyPods} ready pods) = ${proposal}`,
  };
}

/** ceil(a / b) for b > 0; bigint division truncates toward zero, which is already the ceiling below zero. */
function ceilDivide(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b > 0n ? quotient + 1n : quotient;
}
