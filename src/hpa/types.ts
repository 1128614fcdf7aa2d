/**
 * Inputs and results of the HPA replica calculation (spec §8): what one reconcile of one
 * `autoscaling/v2` HorizontalPodAutoscaler sees, and why it chose the count it chose.
 * @module
 */
import type { Quantity } from '../quantity/index.js';

/** A pod as the HPA's pod lister sees it; only what `groupPods` reads (spec §8.3 step 2). */
export interface PodInfo {
  readonly name: string;
  /** `status.phase`: Pending pods are unready, Failed pods are ignored. */
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** The Ready condition is True. Only Object and External Value targets count it. */
  readonly ready: boolean;
  /** `metadata.deletionTimestamp` is set: ignored. */
  readonly deleting?: boolean;
  /**
   * The containers (and restartable init containers) with their requests, in milli-units by resource name:
   * Resource metrics divide usage by their sum. Undefined: unknown (no cluster).
   */
  readonly containers?: readonly ContainerRequests[];
  /** `status.startTime` in ms since the epoch; CPU metrics read it (spec §10). */
  readonly startTime?: number;
  /** The Ready condition's status and `lastTransitionTime` (ms); CPU metrics read it. */
  readonly readyCondition?: { readonly status: string; readonly lastTransitionTime: number };
}

/** A container's `resources.requests` as milli-values (`Quantity.MilliValue()`). */
export interface ContainerRequests {
  readonly name: string;
  readonly requests: Readonly<Record<string, bigint>>;
}

/** A Resource metric target: a percentage of the pods' requests, or an average value per pod. */
export type ResourceTarget =
  | { readonly type: 'Utilization'; readonly averageUtilization: number }
  | { readonly type: 'AverageValue'; readonly averageValue: Quantity };

/** One PodMetrics item reduced to one resource: the sum over its containers (or the one container). */
export interface ResourceSample {
  readonly pod: string;
  readonly value: Quantity;
  /** `timestamp` and `window` of the PodMetrics, in ms. */
  readonly timestamp: number;
  readonly windowMs: number;
}

/** A target's autoscaling/v1 Scale as the controller reads it (`horizontal.go` `scaleForResourceMappings`). */
export interface TargetScale {
  /** `resource.group/name`, as the scale was fetched. */
  readonly target: string;
  /** The GET that read it. */
  readonly path: string;
  /** `spec.replicas` (omitted on the wire when 0): the controller's currentReplicas. */
  readonly specReplicas: number;
  readonly statusReplicas: number;
  /** `status.selector`, `''` when the target has none. */
  readonly selector: string;
}

export type ObjectTarget =
  | { readonly type: 'Value'; readonly value: Quantity }
  | { readonly type: 'AverageValue'; readonly averageValue: Quantity };

/** One entry of `spec.metrics` with what the metrics API returned for it, or why it could not be fetched. */
export type MetricInput =
  | {
      readonly type: 'Pods';
      readonly name: string;
      readonly target: { readonly type: 'AverageValue'; readonly averageValue: Quantity };
      /** One value per returned item, keyed by `describedObject.name`. */
      readonly values: readonly { readonly pod: string; readonly value: Quantity }[];
      readonly error?: undefined;
    }
  | {
      readonly type: 'Object';
      readonly name: string;
      readonly target: ObjectTarget;
      readonly value: Quantity;
      readonly error?: undefined;
    }
  | {
      readonly type: 'External';
      readonly name: string;
      readonly target: ObjectTarget;
      readonly values: readonly Quantity[];
      readonly error?: undefined;
    }
  | {
      readonly type: 'Resource' | 'ContainerResource';
      /** The resource: `cpu`, `memory`. */
      readonly name: string;
      /** ContainerResource only. */
      readonly container?: string;
      readonly target: ResourceTarget;
      readonly values: readonly ResourceSample[];
      readonly error?: undefined;
    }
  | {
      readonly type: 'Pods' | 'Object' | 'External' | 'Resource' | 'ContainerResource';
      readonly name: string;
      readonly error: string;
    };

export type MetricType = MetricInput['type'];

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

/** `spec.behavior.scaleUp` / `scaleDown`; unset fields take the autoscaling/v2 defaults (spec §8.5 3). */
export interface ScalingRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: 'Max' | 'Min' | 'Disabled';
  readonly policies?: readonly ScalingPolicy[];
  /** Per-HPA tolerance (HPAConfigurableTolerance); the global tolerance when unset. */
  readonly tolerance?: Quantity;
}

export interface Behavior {
  readonly scaleUp?: ScalingRules;
  readonly scaleDown?: ScalingRules;
}

/** A recommendation the controller recorded on an earlier reconcile. `timestamp` in ms since the epoch. */
export interface Recommendation {
  readonly replicas: number;
  readonly timestamp: number;
}

/** A rescale the controller made earlier: `change` replicas added (> 0) or removed (< 0). */
export interface ScaleEvent {
  readonly change: number;
  readonly timestamp: number;
}

export interface ReplicaInputs {
  /** `scale.spec.replicas`: what the controller calls currentReplicas. */
  readonly specReplicas: number;
  /** `scale.status.replicas`; `specReplicas` when omitted. AverageValue targets divide by it. */
  readonly statusReplicas?: number;
  /** Defaults to 1. */
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  readonly metrics: readonly MetricInput[];
  /**
   * The pods the HPA's selector matches. Omitted when unknown (no cluster): every pod a Pods metric
   * returns then counts as ready and Value targets use `specReplicas` ready pods; results say so.
   */
  readonly pods?: readonly PodInfo[];
  readonly behavior?: Behavior;
  /** `--horizontal-pod-autoscaler-tolerance`, default 0.1. */
  readonly tolerance?: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization` in seconds, default 300. */
  readonly downscaleStabilizationSeconds?: number;
  /** Earlier recommendations, for the stabilization windows; none means a fresh controller. */
  readonly recommendations?: readonly Recommendation[];
  /** Earlier rescales, for the behavior rate limits. */
  readonly scaleEvents?: readonly ScaleEvent[];
  /** Ms since the epoch: compared with the history's timestamps and, for CPU metrics, the pods' start times. */
  readonly now?: number;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period` in seconds, default 300. */
  readonly cpuInitializationPeriodSeconds?: number;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay` in seconds, default 30. */
  readonly initialReadinessDelaySeconds?: number;
}

/** How a metric's proposal came about: the branch of `replica_calculator.go` taken. */
export type ProposalRule =
  | 'WithinTolerance'
  | 'Ratio'
  | 'MissingPodsAssumed'
  | 'DirectionFlipped'
  | 'ScaleToZeroRatio'
  | 'Invalid';

export interface MetricResult {
  readonly type: MetricType;
  readonly name: string;
  /** undefined when the metric is invalid. */
  readonly proposal?: number;
  /** The usage the ratio was computed from, in milli-units (the HPA status `current` value). */
  readonly usageMilli?: bigint;
  readonly targetMilli?: bigint;
  readonly ratio?: number;
  /** The ratio after missing or unready pods were filled in, when that happened. */
  readonly adjustedRatio?: number;
  readonly rule: ProposalRule;
  /** One sentence a user can read. */
  readonly reason: string;
  /** For an invalid metric: the HPA's ScalingActive=False condition reason and message. */
  readonly condition?: { readonly reason: string; readonly message: string };
}

/** What bounded the final count: the HPA condition reasons of `horizontal.go`. */
export type DecisionRule =
  | 'ScalingDisabled'
  | 'InvalidMetrics'
  | 'AboveMaxReplicas'
  | 'BelowMinReplicas'
  | 'DesiredWithinRange'
  | 'TooManyReplicas'
  | 'TooFewReplicas'
  | 'ScaleUpLimit'
  | 'ScaleDownLimit'
  | 'ScaleUpStabilized'
  | 'ScaleDownStabilized'
  | 'ScalingPolicyDisabled';

export interface ReplicaDecision {
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** desired ≠ current: the controller would update `scale.spec.replicas`. */
  readonly rescale: boolean;
  readonly metrics: readonly MetricResult[];
  /**
   * Max of the valid proposals (spec §8.4), before normalization; undefined when metrics were not consulted or none was
   * valid.
   */
  readonly metricReplicas?: number;
  /** The metric that gave the maximum. */
  readonly metricName?: string;
  /** After the stabilization window, before the limits. */
  readonly stabilizedReplicas?: number;
  /** The rule that fixed `desiredReplicas`. */
  readonly rule: DecisionRule;
  readonly reason: string;
  /** Assumptions made because an input was missing (no pod list, no history). */
  readonly assumptions: readonly string[];
}

/** One GET on the metrics APIs. Resolves with any HTTP answer; rejects only when no answer came (transport). */
export interface MetricsFetcher {
  get(url: string): Promise<{ readonly status: number; readonly body: string }>;
}
