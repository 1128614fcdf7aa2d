/**
 * The HPA replica calculation (spec §8) as a pure function, and the explainer built on it.
 * @module
 */
export { calculateReplicas } from './replica-calculator.js';
export { parseHistory, InvalidHistoryError, type History, type ParseHistoryOptions } from './history.js';
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
  TargetScale,
} from './types.js';
