/**
 * Reads an HPA manifest (YAML or JSON text) into a validated spec. A mistake throws one
 * InvalidHpaError naming the source, the line and the field: `hpa.yaml:12: spec.metrics[0].pods.target.averageValue: …`.
 * @module
 */
import { hpaSchema, type HorizontalPodAutoscaler } from './hpa-schema.js';
import { parseYamlWith } from './parse-yaml.js';

export { formatFieldPath } from './parse-yaml.js';

export class InvalidHpaError extends Error {
  override readonly name = 'InvalidHpaError';
}

export function parseHpa(text: string, source: string): HorizontalPodAutoscaler {
  return parseYamlWith(text, source, hpaSchema, 'one HorizontalPodAutoscaler object (apiVersion: autoscaling/v2)', (message) => new InvalidHpaError(message));
}
