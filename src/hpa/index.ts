/**
 * The HPA replica calculation (spec §8) as a pure function, and the explainer built on it.
 * @module
 */
export { calculateReplicas } from './replica-calculator.js';
export { isWithin, tolerancesFor, defaultTolerance, type Tolerances } from './tolerance.js';
export type {
  Behavior,
  DecisionRule,
  MetricInput,
  MetricResult,
  MetricType,
  ObjectTarget,
  PodInfo,
  ProposalRule,
  Recommendation,
  ReplicaDecision,
  ReplicaInputs,
  ScaleEvent,
  ScalingPolicy,
  ScalingRules,
} from './types.js';
