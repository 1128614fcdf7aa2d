/**
 * What the controller does with the metric maximum before it rescales (spec §8.5, `horizontal.go`):
 * the stabilization window over earlier recommendations, then either the fixed clamp
 * (`convertDesiredReplicasWithRules`, no behavior) or the behavior policies
 * (`convertDesiredReplicasWithBehaviorRate`).
 * @module
 */
import type { Behavior, DecisionRule, Recommendation, ScaleEvent, ScalingPolicy, ScalingRules } from './types.js';

export interface NormalizeInput {
  readonly specReplicas: number;
  readonly desired: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly recommendations: readonly Recommendation[];
  readonly scaleEvents: readonly ScaleEvent[];
  readonly now: number;
  readonly downscaleStabilizationSeconds: number;
}

export interface Normalized {
  readonly stabilized: number;
  readonly replicas: number;
  readonly rule: DecisionRule;
  readonly reason: string;
}

interface ResolvedRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  readonly policies: readonly ScalingPolicy[];
}

/** NB: `pkg/apis/autoscaling/v2/defaults.go`, field by field as defaulting fills them in. */
export function resolveBehavior(
  behavior: Behavior,
  downscaleStabilizationSeconds: number,
): { up: ResolvedRules; down: ResolvedRules } {
  const fill = (
    rules: ScalingRules | undefined,
    window: number,
    policies: readonly ScalingPolicy[],
  ): ResolvedRules => ({
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? window,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? policies,
  });
  return {
    up: fill(behavior.scaleUp, 0, [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ]),
    down: fill(behavior.scaleDown, downscaleStabilizationSeconds, [{ type: 'Percent', value: 100, periodSeconds: 15 }]),
  };
}

/** No behavior: `stabilizeRecommendation` (max over the downscale window) and `convertDesiredReplicasWithRules`. */
export function normalizeWithoutBehavior(input: NormalizeInput): Normalized {
  const cutoff = input.now - input.downscaleStabilizationSeconds * 1000;
  let stabilized = input.desired;
  // NB: horizontal.go stabilizeRecommendation skips only samples `Before(cutoff)`: one exactly at the cutoff counts,
  // unlike the behavior path's `After(cutoff)`.
  for (const rec of input.recommendations) if (rec.timestamp >= cutoff) stabilized = Math.max(stabilized, rec.replicas);
  const scaleUpLimit = Math.max(2 * input.specReplicas, 4);
  const clamp = (): Normalized => {
    if (stabilized < input.minReplicas) {
      return {
        stabilized,
        replicas: input.minReplicas,
        rule: 'TooFewReplicas',
        reason: `${stabilized} is below minReplicas ${input.minReplicas}`,
      };
    }
    if (input.maxReplicas > scaleUpLimit && stabilized > scaleUpLimit) {
      return {
        stabilized,
        replicas: scaleUpLimit,
        rule: 'ScaleUpLimit',
        reason: `${stabilized} is more than one step may add: max(2 × ${input.specReplicas}, 4) = ${scaleUpLimit}`,
      };
    }
    // Stryker disable next-line ConditionalExpression: equivalent, with maxReplicas above the limit a count above
    // maxReplicas is above the limit too and returned just above.
    if (input.maxReplicas <= scaleUpLimit && stabilized > input.maxReplicas) {
      return {
        stabilized,
        replicas: input.maxReplicas,
        rule: 'TooManyReplicas',
        reason: `${stabilized} is above maxReplicas ${input.maxReplicas}`,
      };
    }
    if (stabilized !== input.desired) {
      return {
        stabilized,
        replicas: stabilized,
        rule: 'ScaleDownStabilized',
        reason: `a recommendation of ${stabilized} in the last ${input.downscaleStabilizationSeconds}s holds the scale-down of ${input.desired}`,
      };
    }
    return {
      stabilized,
      replicas: stabilized,
      rule: 'DesiredWithinRange',
      reason: `${stabilized} is within [${input.minReplicas}, ${Math.min(input.maxReplicas, scaleUpLimit)}]`,
    };
  };
  return clamp();
}

/** Sum of the changes recorded strictly after `now − period` (Go `getReplicasChangePerPeriod`). */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, now: number, sign: 1 | -1): number {
  const cutoff = now - periodSeconds * 1000;
  let total = 0;
  for (const e of events) if (e.timestamp > cutoff && Math.sign(e.change) === sign) total += Math.abs(e.change);
  return total;
}

function describePolicies(rules: ResolvedRules): string {
  return `selectPolicy ${rules.selectPolicy} of ${rules.policies.map((p) => `${p.type} ${p.value}${p.type === 'Percent' ? '%' : ''} per ${p.periodSeconds}s`).join(', ')}`;
}

/** With behavior: `stabilizeRecommendationWithBehaviors` then `convertDesiredReplicasWithBehaviorRate`. */
export function normalizeWithBehavior(input: NormalizeInput, behavior: Behavior): Normalized {
  const { up, down } = resolveBehavior(behavior, input.downscaleStabilizationSeconds);
  const upCutoff = input.now - up.stabilizationWindowSeconds * 1000;
  const downCutoff = input.now - down.stabilizationWindowSeconds * 1000;
  let upRec = input.desired;
  let downRec = input.desired;
  for (const rec of input.recommendations) {
    if (rec.timestamp > upCutoff) upRec = Math.min(upRec, rec.replicas);
    if (rec.timestamp > downCutoff) downRec = Math.max(downRec, rec.replicas);
  }
  let stabilized = input.specReplicas;
  // Stryker disable next-line EqualityOperator: equivalent, at equality it assigns the value it has.
  if (stabilized < upRec) stabilized = upRec;
  // Stryker disable next-line EqualityOperator: equivalent, at equality it assigns the value it has.
  if (stabilized > downRec) stabilized = downRec;

  const current = input.specReplicas;
  const periodStart = (policy: ScalingPolicy) =>
    current -
    changeInPeriod(input.scaleEvents, policy.periodSeconds, input.now, 1) +
    changeInPeriod(input.scaleEvents, policy.periodSeconds, input.now, -1);
  // NB (equivalent mutants of the two branch conditions): at stabilized = current no limit applies, as current is
  // within [minReplicas, maxReplicas] (calculateReplicas returns before normalizing otherwise); a count above
  // current passes the scale-down checks untouched.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see the NB above; entered always,
  // the block returns only for a count above its limit, which is at least current.
  if (stabilized > current) {
    let limit: number;
    if (up.selectPolicy === 'Disabled') limit = current;
    else {
      const proposals = up.policies.map((p) =>
        p.type === 'Pods' ? periodStart(p) + p.value : Math.ceil(periodStart(p) * (1 + p.value / 100)),
      );
      limit = up.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
    }
    limit = Math.max(limit, current);
    if (input.maxReplicas > limit && stabilized > limit) {
      const rule = up.selectPolicy === 'Disabled' ? 'ScalingPolicyDisabled' : 'ScaleUpLimit';
      return {
        stabilized,
        replicas: limit,
        rule,
        reason: `scaleUp allows at most ${limit} now (${describePolicies(up)})`,
      };
    }
    // Stryker disable next-line ConditionalExpression: equivalent, with maxReplicas above the limit a count above
    // maxReplicas is above the limit too and returned just above.
    if (input.maxReplicas <= limit && stabilized > input.maxReplicas) {
      return {
        stabilized,
        replicas: input.maxReplicas,
        rule: 'TooManyReplicas',
        reason: `${stabilized} is above maxReplicas ${input.maxReplicas}`,
      };
    }
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see the NB above.
  if (stabilized < current) {
    let limit: number;
    if (down.selectPolicy === 'Disabled') limit = current;
    else {
      const proposals = down.policies.map((p) =>
        p.type === 'Pods' ? periodStart(p) - p.value : Math.trunc(periodStart(p) * (1 - p.value / 100)),
      );
      limit = down.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
    }
    limit = Math.min(limit, current);
    if (input.minReplicas < limit && stabilized < limit) {
      const rule = down.selectPolicy === 'Disabled' ? 'ScalingPolicyDisabled' : 'ScaleDownLimit';
      return {
        stabilized,
        replicas: limit,
        rule,
        reason: `scaleDown allows at least ${limit} now (${describePolicies(down)})`,
      };
    }
    // Stryker disable next-line ConditionalExpression: equivalent, with minReplicas below the limit a count below
    // minReplicas is below the limit too and returned just above.
    if (input.minReplicas >= limit && stabilized < input.minReplicas) {
      return {
        stabilized,
        replicas: input.minReplicas,
        rule: 'TooFewReplicas',
        reason: `${stabilized} is below minReplicas ${input.minReplicas}`,
      };
    }
  }
  if (stabilized !== input.desired) {
    // Stryker disable next-line EqualityOperator: equivalent, at desired = current both windows hold stabilized at
    // desired, so this line is not reached.
    const scalingUp = input.desired >= current;
    const window = scalingUp ? up.stabilizationWindowSeconds : down.stabilizationWindowSeconds;
    return {
      stabilized,
      replicas: stabilized,
      rule: scalingUp ? 'ScaleUpStabilized' : 'ScaleDownStabilized',
      reason: scalingUp
        ? `the lowest recommendation of the last ${window}s (scaleUp window) is ${stabilized}`
        : `the highest recommendation of the last ${window}s (scaleDown window) is ${stabilized}`,
    };
  }
  return {
    stabilized,
    replicas: stabilized,
    rule: 'DesiredWithinRange',
    reason: `${stabilized} is within the limits of minReplicas, maxReplicas and the behavior policies`,
  };
}
