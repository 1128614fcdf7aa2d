/**
 * The HPA's decision for one reconcile, as a pure function (spec §8.4, §8.5): every metric's
 * proposal, the maximum of the valid ones, then the stabilization window and the limits. No I/O:
 * callers fetch the metric values and pass the history they have.
 * @module
 */
import { proposeForMetric } from './metric-proposal.js';
import { normalizeWithBehavior, normalizeWithoutBehavior } from './normalize.js';
import { defaultTolerance, tolerancesFor } from './tolerance.js';
import type { MetricResult, ReplicaDecision, ReplicaInputs } from './types.js';

/** Computes the replica count the HPA controller would set, and why. Never throws for bad metric data. */
export function calculateReplicas(inputs: ReplicaInputs): ReplicaDecision {
  const spec = inputs.specReplicas;
  const minReplicas = inputs.minReplicas ?? 1;
  const maxReplicas = inputs.maxReplicas;
  const assumptions: string[] = [];
  if (inputs.pods === undefined) {
    assumptions.push(
      `pod readiness is unknown: every pod a Pods metric returns counts as ready, and Object/External Value targets count ${spec} ready pods`,
    );
  }
  const tolerances = tolerancesFor(inputs.behavior, inputs.tolerance ?? defaultTolerance);
  const ctx = {
    specReplicas: spec,
    statusReplicas: inputs.statusReplicas ?? spec,
    pods: inputs.pods,
    tolerances,
    now: inputs.now ?? Date.now(),
    cpuInitializationPeriodMs: (inputs.cpuInitializationPeriodSeconds ?? 300) * 1000,
    initialReadinessDelayMs: (inputs.initialReadinessDelaySeconds ?? 30) * 1000,
  };
  const metrics = inputs.metrics.map((m) => proposeForMetric(m, ctx));
  const base = { currentReplicas: spec, metrics, assumptions };
  const keep = (desired: number, rule: ReplicaDecision['rule'], reason: string): ReplicaDecision => ({
    ...base,
    desiredReplicas: desired,
    rescale: desired !== spec,
    rule,
    reason,
  });

  // NB: horizontal.go reconcileAutoscaler checks these before it reads any metric.
  if (spec === 0 && minReplicas !== 0)
    return keep(0, 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
  if (spec > maxReplicas)
    return keep(
      maxReplicas,
      'AboveMaxReplicas',
      `current replicas ${spec} are above maxReplicas ${maxReplicas}; metrics are not consulted`,
    );
  if (spec < minReplicas)
    return keep(
      minReplicas,
      'BelowMinReplicas',
      `current replicas ${spec} are below minReplicas ${minReplicas}; metrics are not consulted`,
    );

  let best: MetricResult | undefined;
  for (const m of metrics)
    if (m.proposal !== undefined && (best === undefined || m.proposal > best.proposal!)) best = m;
  const firstInvalid = metrics.find((m) => m.proposal === undefined);
  if (metrics.length === 0) return keep(spec, 'InvalidMetrics', 'the HPA has no metrics');
  if (best === undefined || (firstInvalid !== undefined && best.proposal! < spec)) {
    const why =
      best === undefined
        ? 'no metric is valid'
        : `a metric is invalid and the valid ones (max ${best.proposal}) would scale down`;
    return keep(
      spec,
      'InvalidMetrics',
      `${why}: ScalingActive=False ${firstInvalid!.condition!.reason}: ${firstInvalid!.condition!.message}`,
    );
  }
  const desired = best.proposal!;
  const now = inputs.now ?? 0;
  // Stryker disable next-line ArrayDeclaration: equivalent, an entry without a timestamp is never inside a window.
  let recommendations = inputs.recommendations ?? [];
  if (inputs.recommendations === undefined) {
    assumptions.push(
      'no history of recommendations or scale events was given: stabilization assumed no history, so the windows hold only this recommendation (pass --history)',
    );
  } else if (recommendations.length === 0) {
    // NB: horizontal.go recordInitialRecommendation: a controller that has not reconciled this HPA yet first records
    // {currentReplicas, time.Now()}, just before the stabilization reads its own time.Now().
    recommendations = [{ replicas: spec, timestamp: now - 1 }];
    assumptions.push(
      `the history has no recommendations: like a controller that has not reconciled this HPA yet, the current ${spec} replicas count as a recommendation made just now`,
    );
  }
  const normalizeInput = {
    specReplicas: spec,
    desired,
    minReplicas,
    maxReplicas,
    recommendations,
    // Stryker disable next-line ArrayDeclaration: equivalent, an event without a timestamp is never inside a period.
    scaleEvents: inputs.scaleEvents ?? [],
    now,
    downscaleStabilizationSeconds: inputs.downscaleStabilizationSeconds ?? 300,
  };
  const normalized =
    inputs.behavior === undefined
      ? normalizeWithoutBehavior(normalizeInput)
      : normalizeWithBehavior(normalizeInput, inputs.behavior);
  return {
    ...base,
    desiredReplicas: normalized.replicas,
    rescale: normalized.replicas !== spec,
    metricReplicas: desired,
    metricName: best.name,
    stabilizedReplicas: normalized.stabilized,
    rule: normalized.rule,
    // NB: computeReplicasForMetrics scales on the valid metrics when they do not scale down, and still reports the
    // invalid one.
    reason: `metric ${best.name} proposes ${desired}; ${normalized.reason}${firstInvalid === undefined ? '' : `; metric ${firstInvalid.name} is invalid (${firstInvalid.condition!.reason}) but does not block a scale that is not down`}`,
  };
}
